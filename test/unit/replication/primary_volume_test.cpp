// SPDX-License-Identifier: GPL-2.0-only
// PrimaryVolume over a fake link: protocol C completions, the change log
// while degraded, the resync round (barrier, RESYNC_BEGIN, resync WRITEs
// whose seqs are taken before their reads, RESYNC_END), splitting, flushes,
// drops, backpressure and what a lost link leaves to resync.
#include "fake_link.hpp"
#include "replication/primary_volume.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <functional>
#include <set>
#include <memory>
#include <vector>

using namespace repltest;

namespace {

constexpr std::uint64_t vol_size = 64 << 20;

struct Harness {
	boost::asio::io_context io;
	std::vector<std::function<void()>> barriers; // run by the test
	struct Read {
		std::uint64_t offset;
		std::span<std::byte> into;
		std::function<void(int)> done;
	};
	std::vector<Read> reads;
	std::vector<std::string> failures;
	std::unique_ptr<PrimaryVolume> volume;
	std::shared_ptr<FakeLink> link = std::make_shared<FakeLink>("stor-2", 64 << 10);

	// With `outdated_gate`, Ceph's answers to record_outdated are the
	// test's to give (records), and clears are counted.
	std::vector<std::function<void(OutdatedRecord, std::string)>> records;
	int clears = 0;

	explicit Harness(PeerCopy peer_copy = PeerCopy::empty, bool outdated_gate = false)
	{
		PrimaryVolumeInfo info{7, "db1", "db1", vol_size, 4096, "stor-2"};
		PrimaryVolumeHooks hooks;
		hooks.barrier = [this](std::function<void()> step, std::function<void(std::string)> done) {
			barriers.push_back([step, done] {
				step();
				done("");
			});
		};
		hooks.read = [this](std::uint64_t offset, std::span<std::byte> into,
				    std::function<void(int)> done) {
			reads.push_back({offset, into, std::move(done)});
		};
		hooks.link_failed = [this](const std::string& reason) {
			failures.push_back(reason);
			volume->link_lost(reason);
		};
		if (outdated_gate) {
			hooks.record_outdated =
				[this](std::function<void(OutdatedRecord, std::string)> done) {
					records.push_back(std::move(done));
				};
			hooks.clear_outdated = [this] { clears++; };
		}
		volume = std::make_unique<PrimaryVolume>(io, info, hooks, 0, peer_copy);
	}

	// Link up, ATTACH acked (`kept` as the peer says), barrier passed:
	// the round has begun.
	void attach(bool kept = false)
	{
		volume->link_up(link);
		REQUIRE(link->sent_of<Attach>().size() == 1);
		REQUIRE(volume->on_message(AttachAck{7, 0, kept}));
		REQUIRE(barriers.size() == 1);
		auto b = barriers.back();
		barriers.clear();
		b();
	}

	void complete_reads(std::byte fill)
	{
		auto r = std::move(reads);
		reads.clear();
		for (auto& read : r) {
			std::fill(read.into.begin(), read.into.end(), fill);
			read.done(0);
		}
	}

	void ack_all_writes()
	{
		for (const auto& w : link->sent_of<Write>())
			acked(w.seq);
		for (const auto& d : link->sent_of<Discard>())
			acked(d.seq);
	}
	void acked(std::uint64_t seq, std::uint32_t status = 0)
	{
		if (done_seqs.insert(seq).second)
			REQUIRE(volume->on_message(WriteAck{7, seq, status}));
	}
	std::set<std::uint64_t> done_seqs;
};

std::vector<std::byte> bytes(std::size_t n, std::byte v = std::byte{0x5a})
{
	return std::vector<std::byte>(n, v);
}

} // namespace

TEST_CASE("primary volume: degraded writes complete at once and are recorded", "[replication][primary]")
{
	Harness h;
	CHECK(h.volume->status().state == ReplicaState::degraded);
	auto data = bytes(512);
	int result = 1;
	h.volume->replicate(8192 + 512, data, false, [&](int r) { result = r; });
	CHECK(result == 0);
	// A partial write dirties its whole block.
	CHECK(h.volume->status().changed_bytes == 4096);
	CHECK(h.volume->status().writes_degraded == 1);
	int flushed = 1;
	h.volume->flush([&](int r) { flushed = r; });
	CHECK(flushed == 0);
}

TEST_CASE("primary volume: a round resyncs the change log, then writes go live", "[replication][primary]")
{
	Harness h;
	auto data = bytes(8192);
	h.volume->replicate(0, data, false, [](int) {});
	h.volume->replicate(1 << 20, data, false, [](int) {});
	h.attach();
	CHECK(h.volume->status().state == ReplicaState::resyncing);
	const auto begins = h.link->sent_of<ResyncBegin>();
	REQUIRE(begins.size() == 1);
	CHECK(begins[0].bytes_planned == 16384);
	CHECK(begins[0].first_seq == 1);
	// The reads' seqs were taken before the reads: a live write now gets a
	// later seq.
	REQUIRE(h.reads.size() == 2);
	int live = 1;
	auto live_data = bytes(4096, std::byte{0x11});
	h.volume->replicate(4096, live_data, true, [&](int r) { live = r; });
	auto writes = h.link->sent_of<Write>();
	REQUIRE(writes.size() == 1);
	CHECK(writes[0].seq == 3);
	CHECK_FALSE(writes[0].resync);
	CHECK(writes[0].fua);
	h.complete_reads(std::byte{0x77});
	writes = h.link->sent_of<Write>();
	REQUIRE(writes.size() == 3);
	CHECK(writes[1].resync);
	CHECK(writes[1].seq == 1);
	CHECK(writes[1].offset == 0);
	CHECK(h.link->sent.back().data == bytes(8192, std::byte{0x77}));
	CHECK(writes[2].seq == 2);
	CHECK(writes[2].offset == 1 << 20);

	// Protocol C: the live write waits for the ack and for the link.
	h.acked(3);
	CHECK(live == 1);
	h.link->release_all();
	CHECK(live == 0);
	h.acked(1);
	h.acked(2);
	CHECK(h.volume->status().state == ReplicaState::in_sync);
	const auto ends = h.link->sent_of<ResyncEnd>();
	REQUIRE(ends.size() == 1);
	CHECK(ends[0].last_seq == 3);
	CHECK(ends[0].bytes_sent == 16384);
	CHECK(h.volume->status().changed_bytes == 0);
}

TEST_CASE("primary volume: after an hpsd restart the first round sends the whole volume",
	  "[replication][primary]")
{
	Harness h(PeerCopy::unknown);
	CHECK(h.volume->status().changed_bytes == vol_size);
	h.attach();
	CHECK(h.link->sent_of<ResyncBegin>().at(0).bytes_planned == vol_size);
	// 64 KiB chunks (the peer's max write), four reads at a time.
	CHECK(h.reads.size() == 4);
	CHECK(h.reads[0].into.size() == 64 << 10);
}

TEST_CASE("primary volume: after a restart that kept both copies only the changes are resynced",
	  "[replication][primary]")
{
	Harness h(PeerCopy::kept_if_peer_agrees);
	// Written before the link is up (e.g. what the last hpsd left in
	// flight): those blocks, and only those, go to the peer.
	auto data = bytes(4096);
	h.volume->replicate(1 << 20, data, false, [](int) {});
	CHECK(h.volume->status().changed_bytes == 4096);
	h.attach(true);
	CHECK(h.link->sent_of<ResyncBegin>().at(0).bytes_planned == 4096);
	REQUIRE(h.reads.size() == 1);
	CHECK(h.reads[0].offset == 1 << 20);
}

TEST_CASE("primary volume: a peer that did not keep its copy is resynced whole after a restart",
	  "[replication][primary]")
{
	Harness h(PeerCopy::kept_if_peer_agrees);
	CHECK(h.volume->status().changed_bytes == 0);
	h.attach(false);
	CHECK(h.link->sent_of<ResyncBegin>().at(0).bytes_planned == vol_size);
}

TEST_CASE("primary volume: `kept` is asked once: a later link's round sends what changed",
	  "[replication][primary]")
{
	Harness h(PeerCopy::empty);
	h.attach(false);
	CHECK(h.link->sent_of<ResyncBegin>().at(0).bytes_planned == 0);
	h.volume->link_lost("cut");
	auto data = bytes(4096);
	h.volume->replicate(0, data, false, [](int) {});
	h.link = std::make_shared<FakeLink>("stor-2", 64 << 10);
	h.attach(false);
	CHECK(h.link->sent_of<ResyncBegin>().at(0).bytes_planned == 4096);
}

TEST_CASE("primary volume: a write larger than the peer's limit is split", "[replication][primary]")
{
	Harness h;
	h.attach();
	REQUIRE(h.volume->status().state == ReplicaState::in_sync);
	auto data = bytes(160 << 10);
	int result = 1;
	h.volume->replicate(1 << 20, data, false, [&](int r) { result = r; });
	const auto writes = h.link->sent_of<Write>();
	REQUIRE(writes.size() == 3);
	CHECK(writes[0].offset == 1 << 20);
	CHECK(writes[1].offset == (1 << 20) + (64 << 10));
	CHECK(writes[2].offset == (1 << 20) + (128 << 10));
	CHECK(h.link->sent.back().data.size() == 32 << 10);
	h.link->release_all();
	h.acked(writes[0].seq);
	h.acked(writes[2].seq);
	CHECK(result == 1);
	h.acked(writes[1].seq);
	CHECK(result == 0);
}

TEST_CASE("primary volume: flushes wait for FLUSH_ACK", "[replication][primary]")
{
	Harness h;
	h.attach();
	auto data = bytes(4096);
	h.volume->replicate(0, data, false, [](int) {});
	int flushed = 1;
	h.volume->flush([&](int r) { flushed = r; });
	const auto flushes = h.link->sent_of<Flush>();
	REQUIRE(flushes.size() == 1);
	CHECK(flushes[0].up_to == 1);
	CHECK(flushed == 1);
	REQUIRE(h.volume->on_message(FlushAck{7, 1, 0}));
	CHECK(flushed == 0);
	// A FLUSH_ACK nothing waits for breaks the protocol.
	CHECK_FALSE(h.volume->on_message(FlushAck{7, 1, 0}));
}

TEST_CASE("primary volume: drops go out as block-aligned DISCARDs", "[replication][primary]")
{
	Harness h;
	h.attach();
	int result = 1;
	h.volume->drop(4096 + 512, 1024, [&](int r) { result = r; });
	const auto discards = h.link->sent_of<Discard>();
	REQUIRE(discards.size() == 1);
	CHECK(discards[0].offset == 4096);
	CHECK(discards[0].length == 4096);
	CHECK_FALSE(discards[0].resync);
	CHECK(result == 1);
	h.acked(discards[0].seq);
	CHECK(result == 0);
}

TEST_CASE("primary volume: a lost link completes what waits and records it", "[replication][primary]")
{
	Harness h;
	h.attach();
	auto data = bytes(4096);
	int acked_write = 1, lost_write = 1, flush = 1;
	h.volume->replicate(0, data, false, [&](int r) { acked_write = r; });
	h.volume->replicate(1 << 20, data, false, [&](int r) { lost_write = r; });
	h.volume->flush([&](int r) { flush = r; });
	h.acked(1); // acked, but no FLUSH_ACK covers it yet
	h.volume->link_lost("peer timeout");
	CHECK(flush == 0);
	CHECK(lost_write == 1); // the link still reads its data
	h.link->release_all();
	CHECK(acked_write == 0);
	CHECK(lost_write == 0);
	const auto s = h.volume->status();
	CHECK(s.state == ReplicaState::degraded);
	// Both blocks: the unacked one, and the acked one the peer may lose
	// with its uncommitted metadata.
	CHECK(s.changed_bytes == 8192);
	CHECK(s.last_error == "peer timeout");
}

TEST_CASE("primary volume: a flushed write is not resynced after a loss", "[replication][primary]")
{
	Harness h;
	h.attach();
	auto data = bytes(4096);
	h.volume->replicate(0, data, false, [](int) {});
	h.volume->flush([](int) {});
	h.acked(1);
	REQUIRE(h.volume->on_message(FlushAck{7, 1, 0}));
	h.link->release_all();
	h.volume->link_lost("gone");
	CHECK(h.volume->status().changed_bytes == 0);
}

TEST_CASE("primary volume: a block the peer could not store is resynced in a new round",
	  "[replication][primary]")
{
	Harness h;
	h.attach();
	auto data = bytes(512);
	int result = 1;
	h.volume->replicate(8192, data, false, [&](int r) { result = r; });
	h.link->release_all();
	h.acked(1, EIO);
	// The local copy is good: the application sees success.
	CHECK(result == 0);
	CHECK(h.volume->status().peer_errors == 1);
	REQUIRE(h.barriers.size() == 1);
	h.barriers.back()();
	CHECK(h.link->sent_of<ResyncBegin>().size() == 2);
	REQUIRE(h.reads.size() == 1);
	CHECK(h.reads[0].offset == 8192);
	CHECK(h.reads[0].into.size() == 4096);
}

TEST_CASE("primary volume: a full link queue holds frames until writable", "[replication][primary]")
{
	Harness h;
	h.attach();
	h.link->set_full(true);
	auto data = bytes(4096);
	int first = 1, second = 1;
	h.volume->replicate(0, data, false, [&](int r) { first = r; });
	h.volume->replicate(4096, data, false, [&](int r) { second = r; });
	CHECK(h.link->sent_of<Write>().empty());
	h.link->set_full(false);
	h.volume->writable();
	const auto writes = h.link->sent_of<Write>();
	REQUIRE(writes.size() == 2);
	CHECK(writes[0].offset == 0);
	CHECK(writes[1].offset == 4096);
	h.link->release_all();
	h.ack_all_writes();
	CHECK(first == 0);
	CHECK(second == 0);
}

TEST_CASE("primary volume: protocol errors are refused, not trusted", "[replication][primary]")
{
	Harness h;
	h.attach();
	CHECK_FALSE(h.volume->on_message(WriteAck{7, 99, 0}));
	CHECK_FALSE(h.volume->on_message(AttachAck{7, 0})); // not attaching
	CHECK_FALSE(h.volume->on_message(Write{7, 1, 0, false, false, {}}));
}

TEST_CASE("primary volume: a refused ATTACH leaves it degraded", "[replication][primary]")
{
	Harness h;
	h.volume->link_up(h.link);
	REQUIRE(h.volume->on_message(AttachAck{7, EEXIST}));
	CHECK(h.volume->status().state == ReplicaState::degraded);
	CHECK(h.barriers.empty());
	auto data = bytes(4096);
	int result = 1;
	h.volume->replicate(0, data, false, [&](int r) { result = r; });
	CHECK(result == 0);
	CHECK(h.volume->status().changed_bytes == 4096);
}

TEST_CASE("primary volume: the recovery limit defers runs, and the round waits for them",
	  "[replication][primary]")
{
	boost::asio::io_context io;
	auto link = std::make_shared<FakeLink>("stor-2", 64 << 10);
	std::vector<std::function<void(int)>> reads;
	PrimaryVolumeHooks hooks;
	hooks.barrier = [](std::function<void()> step, std::function<void(std::string)> done) {
		step();
		done("");
	};
	hooks.read = [&](std::uint64_t, std::span<std::byte>, std::function<void(int)> done) {
		reads.push_back(std::move(done));
	};
	// 1 MB/s: 64 KiB runs, 50 ms of burst, so the second run waits.
	PrimaryVolume v(io, PrimaryVolumeInfo{7, "db1", "db1", vol_size, 4096, "stor-2"}, hooks, 1,
			PeerCopy::empty);
	auto data = bytes(64 << 10);
	for (std::uint64_t i = 0; i < 3; i++)
		v.replicate(i * (1 << 20), data, false, [](int) {});
	v.link_up(link);
	REQUIRE(v.on_message(AttachAck{7, 0}));
	std::set<std::uint64_t> acked;
	auto serve = [&] {
		auto r = std::move(reads);
		reads.clear();
		for (auto& done : r)
			done(0);
		link->release_all();
		for (const auto& w : link->sent_of<Write>())
			if (acked.insert(w.seq).second)
				REQUIRE(v.on_message(WriteAck{7, w.seq, 0}));
	};
	serve();
	// Not in sync while a run waits for the limit.
	CHECK(v.status().state == ReplicaState::resyncing);
	CHECK(link->sent_of<ResyncEnd>().empty());
	for (int i = 0; i < 50 && v.status().state != ReplicaState::in_sync; i++) {
		io.run_for(std::chrono::milliseconds(20));
		serve();
	}
	CHECK(v.status().state == ReplicaState::in_sync);
	CHECK(v.status().resync_acked == 3 * (64 << 10));
	REQUIRE(link->sent_of<ResyncEnd>().size() == 1);
	CHECK(link->sent_of<ResyncEnd>()[0].bytes_sent == 3 * (64 << 10));
}

TEST_CASE("primary volume: a write completes without the peer only once Ceph records the peer "
	  "outdated",
	  "[replication][primary]")
{
	Harness h(PeerCopy::empty, true);
	auto data = bytes(4096);
	int first = 1, second = 1, flushed = 1;
	h.volume->replicate(0, data, false, [&](int r) { first = r; });
	h.volume->replicate(8192, data, false, [&](int r) { second = r; });
	h.volume->flush([&](int r) { flushed = r; });
	// One record asked for; nothing completes before its answer.
	REQUIRE(h.records.size() == 1);
	CHECK(first == 1);
	CHECK(second == 1);
	CHECK(flushed == 1);
	h.records[0](OutdatedRecord::recorded, "");
	CHECK(first == 0);
	CHECK(second == 0);
	CHECK(flushed == 0);
	// Recorded: later ones complete at once, with no new record.
	int third = 1;
	h.volume->replicate(0, data, false, [&](int r) { third = r; });
	CHECK(third == 0);
	CHECK(h.records.size() == 1);
	// In sync again: the record is cleared, and the next loss asks anew.
	h.attach();
	h.complete_reads(std::byte{1});
	h.link->release_all();
	h.ack_all_writes();
	REQUIRE(h.volume->status().state == ReplicaState::in_sync);
	CHECK(h.clears == 1);
	h.volume->link_lost("gone");
	int fourth = 1;
	h.volume->replicate(0, data, false, [&](int r) { fourth = r; });
	CHECK(fourth == 1);
	CHECK(h.records.size() == 2);
}

TEST_CASE("primary volume: writes in flight at a loss wait for the record too",
	  "[replication][primary]")
{
	Harness h(PeerCopy::empty, true);
	h.attach();
	REQUIRE(h.volume->status().state == ReplicaState::in_sync);
	auto data = bytes(4096);
	int live = 1;
	h.volume->replicate(0, data, false, [&](int r) { live = r; });
	REQUIRE(h.link->sent_of<Write>().size() == 1);
	h.link->release_all();
	h.volume->link_lost("peer timeout");
	CHECK(live == 1); // the peer never acked it
	REQUIRE(h.records.size() == 1);
	h.records[0](OutdatedRecord::recorded, "");
	CHECK(live == 0);
}

TEST_CASE("primary volume: a fenced node fails the writes it would complete alone",
	  "[replication][primary]")
{
	Harness h(PeerCopy::empty, true);
	auto data = bytes(4096);
	int first = 1, later = 1;
	h.volume->replicate(0, data, false, [&](int r) { first = r; });
	REQUIRE(h.records.size() == 1);
	h.records[0](OutdatedRecord::fenced, "RBD image rbd/db1 is held by stor-2");
	CHECK(first == -EIO);
	h.volume->replicate(0, data, false, [&](int r) { later = r; });
	CHECK(later == -EIO);
	CHECK(h.volume->status().last_error.find("fenced") != std::string::npos);
}

TEST_CASE("primary volume: Ceph away: writes wait and the record is asked again",
	  "[replication][primary]")
{
	Harness h(PeerCopy::empty, true);
	auto data = bytes(4096);
	int first = 1;
	h.volume->replicate(0, data, false, [&](int r) { first = r; });
	REQUIRE(h.records.size() == 1);
	h.records[0](OutdatedRecord::failed, "timed out");
	CHECK(first == 1);
	h.io.run_for(std::chrono::milliseconds(1500));
	REQUIRE(h.records.size() == 2);
	h.records[1](OutdatedRecord::recorded, "");
	CHECK(first == 0);
}

TEST_CASE("primary volume: stopping hpsd gives back what waits for the record",
	  "[replication][primary]")
{
	Harness h(PeerCopy::empty, true);
	auto data = bytes(4096);
	int first = 1;
	h.volume->replicate(0, data, false, [&](int r) { first = r; });
	h.volume->stop();
	CHECK(first == result_give_back);
	// Nor does anything complete without the peer after the stop.
	int later = 1;
	h.volume->replicate(4096, data, false, [&](int r) { later = r; });
	CHECK(later == result_give_back);
}

TEST_CASE("primary volume: the clean gate opens only in sync, with the last seq handed out",
	  "[replication][primary][clean]")
{
	Harness h;
	auto gate = h.volume->clean_gate();
	CHECK_FALSE(gate->capture()); // degraded
	auto data = bytes(4096);
	h.volume->replicate(0, data, false, [](int) {});
	h.volume->link_up(h.link);
	CHECK_FALSE(gate->capture()); // attaching
	REQUIRE(h.volume->on_message(AttachAck{7, 0}));
	h.barriers.back()();
	h.barriers.clear();
	CHECK_FALSE(gate->capture()); // resyncing
	h.complete_reads(std::byte{1});
	h.ack_all_writes();
	h.link->release_all();
	REQUIRE(h.volume->status().state == ReplicaState::in_sync);
	auto mark = gate->capture();
	REQUIRE(mark);
	CHECK(mark->seq == 1); // the resync write's
	// A live write takes the next seq: a capture after it covers it.
	h.volume->replicate(8192, data, false, [](int) {});
	auto later = gate->capture();
	REQUIRE(later);
	CHECK(later->seq == 2);
	CHECK(later->token == mark->token);
}

TEST_CASE("primary volume: CLEAN carries the captured seq, in batches, and CLEAN_ACK is counted",
	  "[replication][primary][clean]")
{
	Harness h;
	h.attach();
	auto data = bytes(4096);
	h.volume->replicate(0, data, false, [](int) {});
	h.volume->replicate(4096, data, false, [](int) {});
	h.ack_all_writes();
	h.link->release_all();
	const auto mark = h.volume->clean_gate()->capture();
	REQUIRE(mark);
	REQUIRE(mark->seq == 2);
	// A write after the capture: its seq is above the CLEAN's, so the
	// secondary keeps its block dirty whatever the CLEAN says.
	h.volume->replicate(0, data, false, [](int) {});
	std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
	for (std::uint64_t i = 0; i < 5000; i++)
		ranges.emplace_back(i * 8192, 4096);
	h.volume->clean(*mark, ranges);
	const auto cleans = h.link->sent_of<Clean>();
	REQUIRE(cleans.size() == 2);
	CHECK(cleans[0].entries.size() == 4096);
	CHECK(cleans[1].entries.size() == 904);
	CHECK(cleans[0].batch != cleans[1].batch);
	for (const auto& c : cleans)
		for (const auto& e : c.entries)
			CHECK(e.seq == 2);
	CHECK(cleans[0].entries[1] == CleanEntry{8192, 4096, 2});
	REQUIRE(h.volume->on_message(CleanAck{7, cleans[0].batch, 0}));
	REQUIRE(h.volume->on_message(CleanAck{7, cleans[1].batch, EIO}));
	const auto s = h.volume->status();
	CHECK(s.clean_batches == 2);
	CHECK(s.clean_bytes == 5000 * 4096);
	CHECK(s.clean_acks == 2);
	CHECK(s.clean_errors == 1);
}

TEST_CASE("primary volume: a CLEAN taken before a loss, a round or a peer error is dropped",
	  "[replication][primary][clean]")
{
	Harness h;
	h.attach();
	auto data = bytes(4096);
	h.volume->replicate(0, data, false, [](int) {});
	const auto before = h.volume->clean_gate()->capture();
	REQUIRE(before);

	SECTION("the peer failed a write: a round resends it")
	{
		h.acked(1, EIO);
		CHECK_FALSE(h.volume->clean_gate()->capture());
		h.volume->clean(*before, {{0, 4096}});
		CHECK(h.link->sent_of<Clean>().empty());
		CHECK(h.volume->status().clean_dropped_bytes == 4096);
		// After that round, a new token: the old mark stays refused.
		h.link->release_all();
		REQUIRE(h.barriers.size() == 1);
		h.barriers.back()();
		h.complete_reads(std::byte{2});
		h.ack_all_writes();
		h.link->release_all();
		REQUIRE(h.volume->status().state == ReplicaState::in_sync);
		const auto after = h.volume->clean_gate()->capture();
		REQUIRE(after);
		CHECK(after->token != before->token);
		h.volume->clean(*before, {{0, 4096}});
		CHECK(h.link->sent_of<Clean>().empty());
		h.volume->clean(*after, {{0, 4096}});
		CHECK(h.link->sent_of<Clean>().size() == 1);
	}
	SECTION("the link was lost and came back")
	{
		h.volume->link_lost("cut");
		CHECK_FALSE(h.volume->clean_gate()->capture());
		h.volume->clean(*before, {{0, 4096}});
		h.link = std::make_shared<FakeLink>("stor-2", 64 << 10);
		h.attach();
		h.complete_reads(std::byte{3});
		h.ack_all_writes();
		h.link->release_all();
		REQUIRE(h.volume->status().state == ReplicaState::in_sync);
		h.volume->clean(*before, {{0, 4096}});
		CHECK(h.link->sent_of<Clean>().empty());
		CHECK(h.volume->status().clean_dropped_bytes == 8192);
	}
}
