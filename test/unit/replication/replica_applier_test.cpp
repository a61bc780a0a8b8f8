// SPDX-License-Identifier: GPL-2.0-only
// The secondary's applier on a real io_uring over a regular file in /tmp
// (O_DIRECT off, except in the one test that tries it): data lands where it
// should, in seq order where writes overlap, flushes wait for what they
// cover, resync data never overwrites live data of its window, and
// protocol errors come back as errors.
#include "replication/replica_applier.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

using hpsd::replication::ApplierOptions;
using hpsd::replication::ApplierSink;
using hpsd::replication::Discard;
using hpsd::replication::Flush;
using hpsd::replication::FlushAck;
using hpsd::replication::ReplicaApplier;
using hpsd::replication::Write;
using hpsd::replication::WriteAck;
using namespace std::chrono_literals;

namespace {

constexpr std::uint32_t vol = 3;
constexpr std::uint64_t K = 4096;

std::vector<std::byte> bytes(std::size_t n, char c)
{
	return std::vector<std::byte>(n, static_cast<std::byte>(c));
}

ApplierOptions buffered()
{
	ApplierOptions o;
	o.direct = false;
	return o;
}

// One applier on a 1 MiB file of zeros, and what it answered.
struct Bench {
	boost::asio::io_context io;
	hps::test::TempDir dir;
	std::string path = dir / "volume";
	std::vector<WriteAck> acks;
	std::vector<FlushAck> flush_acks;
	std::unique_ptr<ReplicaApplier> applier;
	// Called after each write ack is recorded (tests that stop or destroy).
	std::function<void(const WriteAck&)> on_ack;

	explicit Bench(std::uint64_t first_seq = 1, ApplierOptions options = buffered())
	{
		const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
		REQUIRE(fd >= 0);
		REQUIRE(::ftruncate(fd, 1 << 20) == 0);
		::close(fd);
		auto a = ReplicaApplier::open(io, path, vol, first_seq, options, sink());
		INFO((a ? std::string() : a.error()));
		REQUIRE(a);
		applier = std::move(*a);
	}

	ApplierSink sink()
	{
		return ApplierSink{
			[this](const WriteAck& a) {
				acks.push_back(a);
				if (on_ack)
					on_ack(a);
			},
			[this](const FlushAck& a) { flush_acks.push_back(a); },
		};
	}

	// The data is a temporary: the applier must have copied it.
	hps::Result<void, std::string> write(std::uint64_t seq, std::uint64_t offset, std::size_t n,
					     char c, bool resync = false, bool fua = false)
	{
		const auto data = bytes(n, c);
		return applier->write(Write{vol, seq, offset, fua, resync, data});
	}

	bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s)
	{
		const auto end = std::chrono::steady_clock::now() + limit;
		while (!done()) {
			if (std::chrono::steady_clock::now() >= end)
				return false;
			io.run_one_for(10ms);
			if (io.stopped())
				io.restart();
		}
		return true;
	}

	bool acked(std::size_t count) { return run_until([&] { return acks.size() >= count; }); }

	void run_for(std::chrono::milliseconds period)
	{
		const auto end = std::chrono::steady_clock::now() + period;
		const auto over = [&] { return std::chrono::steady_clock::now() >= end; };
		(void)run_until(over, period + 1s);
	}

	std::string read(std::uint64_t offset, std::size_t n) const
	{
		std::string out(n, '?');
		const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
		REQUIRE(fd >= 0);
		const auto got = ::pread(fd, out.data(), n, static_cast<off_t>(offset));
		::close(fd);
		REQUIRE(got == static_cast<ssize_t>(n));
		return out;
	}

	std::set<std::uint64_t> acked_seqs() const
	{
		std::set<std::uint64_t> s;
		for (const WriteAck& a : acks)
			s.insert(a.seq);
		return s;
	}
};

std::string fill(std::size_t n, char c)
{
	return std::string(n, c);
}

} // namespace

TEST_CASE("replica applier: writes land at their offsets", "[replication][applier]")
{
	Bench b;
	REQUIRE(b.write(1, 0, K, 'a'));
	REQUIRE(b.write(2, 2 * K, K, 'b'));
	REQUIRE(b.write(3, K, 512, 'c', false, true)); // fua
	CHECK(b.acks.empty()); // never from within write()
	REQUIRE(b.acked(3));
	for (const WriteAck& a : b.acks) {
		CHECK(a.volume == vol);
		CHECK(a.status == 0);
	}
	CHECK(b.acked_seqs() == std::set<std::uint64_t>{1, 2, 3});
	CHECK(b.read(0, K) == fill(K, 'a'));
	CHECK(b.read(K, 512) == fill(512, 'c'));
	CHECK(b.read(K + 512, K - 512) == fill(K - 512, '\0'));
	CHECK(b.read(2 * K, K) == fill(K, 'b'));
	const auto c = b.applier->counters();
	CHECK(c.writes == 3);
	CHECK(c.write_bytes == 2 * K + 512);
	CHECK(c.errors == 0);
	CHECK(b.applier->pending() == 0);
}

TEST_CASE("replica applier: overlapping writes out of seq order end with the higher seq",
	  "[replication][applier]")
{
	Bench b(10);
	REQUIRE(b.write(12, K, 2 * K, 'C')); // [4K,12K)
	REQUIRE(b.write(11, 0, 2 * K, 'B')); // [0,8K)
	b.run_for(20ms);
	CHECK(b.acks.empty()); // both wait for seq 10
	REQUIRE(b.write(10, 0, 4 * K, 'A')); // [0,16K)
	REQUIRE(b.acked(3));
	// Overlapping writes are acked in seq order: each waited for the one before.
	REQUIRE(b.acks.size() == 3);
	CHECK(b.acks[0].seq == 10);
	CHECK(b.acks[1].seq == 11);
	CHECK(b.acks[2].seq == 12);
	CHECK(b.read(0, K) == fill(K, 'B'));
	CHECK(b.read(K, 2 * K) == fill(2 * K, 'C'));
	CHECK(b.read(3 * K, K) == fill(K, 'A'));
}

TEST_CASE("replica applier: many writes through a small ring", "[replication][applier]")
{
	ApplierOptions o = buffered();
	o.queue_depth = 2;
	Bench b(1, o);
	for (std::uint64_t s = 1; s <= 40; ++s)
		REQUIRE(b.write(s, (s - 1) * K, K, static_cast<char>('A' + s % 26)));
	REQUIRE(b.acked(40));
	for (std::uint64_t s = 1; s <= 40; ++s)
		CHECK(b.read((s - 1) * K, K) == fill(K, static_cast<char>('A' + s % 26)));
	CHECK(b.applier->counters().writes == 40);
}

TEST_CASE("replica applier: a flush is acked only after every lower seq",
	  "[replication][applier]")
{
	Bench b;
	std::vector<std::set<std::uint64_t>> acked_at_flush;
	b.applier.reset();
	auto a = ReplicaApplier::open(
		b.io, b.path, vol, 1, buffered(),
		ApplierSink{[&](const WriteAck& w) { b.acks.push_back(w); },
			    [&](const FlushAck& f) {
				    b.flush_acks.push_back(f);
				    acked_at_flush.push_back(b.acked_seqs());
			    }});
	REQUIRE(a);
	b.applier = std::move(*a);

	SECTION("nothing written yet")
	{
		REQUIRE(b.applier->flush(Flush{vol, 0}));
		REQUIRE(b.run_until([&] { return b.flush_acks.size() == 1; }));
		CHECK(b.flush_acks[0].up_to == 0);
		CHECK(b.flush_acks[0].status == 0);
	}
	SECTION("writes in flight")
	{
		for (std::uint64_t s = 1; s <= 4; ++s)
			REQUIRE(b.write(s, (s - 1) * K, K, 'x'));
		REQUIRE(b.applier->flush(Flush{vol, 4}));
		REQUIRE(b.run_until([&] { return b.flush_acks.size() == 1; }));
		CHECK(b.flush_acks[0].up_to == 4);
		CHECK(b.flush_acks[0].volume == vol);
		CHECK(b.flush_acks[0].status == 0);
		CHECK(acked_at_flush[0] == std::set<std::uint64_t>{1, 2, 3, 4});
	}
	SECTION("a seq missing")
	{
		REQUIRE(b.write(1, 0, K, 'x'));
		REQUIRE(b.write(3, 2 * K, K, 'z')); // seq 2 not here yet
		REQUIRE(b.applier->flush(Flush{vol, 3}));
		REQUIRE(b.acked(1));
		b.run_for(30ms);
		CHECK(b.flush_acks.empty());
		REQUIRE(b.write(2, K, K, 'y'));
		REQUIRE(b.run_until([&] { return b.flush_acks.size() == 1; }));
		CHECK(acked_at_flush[0] == std::set<std::uint64_t>{1, 2, 3});
		CHECK(b.applier->counters().flushes == 1);
	}
}

TEST_CASE("replica applier: a failed write is acked with its errno", "[replication][applier]")
{
	Bench b;
	// A valid offset on the wire, but a negative file position to the
	// kernel: the write fails with EINVAL.
	constexpr std::uint64_t past = std::uint64_t{1} << 63;
	REQUIRE(b.write(1, past, K, 'x'));
	REQUIRE(b.acked(1));
	CHECK(b.acks[0].seq == 1);
	CHECK(b.acks[0].status != 0);
	CHECK(b.applier->counters().errors == 1);
	CHECK(b.applier->counters().writes == 1);
	// Still applied as far as order goes: the next write goes on.
	REQUIRE(b.write(2, 0, K, 'y'));
	REQUIRE(b.acked(2));
	CHECK(b.acks[1].status == 0);
	CHECK(b.read(0, K) == fill(K, 'y'));
}

TEST_CASE("replica applier: a device it cannot open", "[replication][applier]")
{
	boost::asio::io_context io;
	hps::test::TempDir dir;
	SECTION("a directory")
	{
		auto a = ReplicaApplier::open(io, dir.path(), vol, 1, buffered(), {});
		REQUIRE_FALSE(a);
		CHECK_THAT(a.error(), Catch::Matchers::Contains(dir.path().string()));
	}
	SECTION("missing")
	{
		auto a = ReplicaApplier::open(io, dir / "nothing", vol, 1, buffered(), {});
		REQUIRE_FALSE(a);
		CHECK_THAT(a.error(), Catch::Matchers::Contains("No such file"));
	}
	SECTION("options out of range")
	{
		hps::test::write_file(dir / "f", "");
		ApplierOptions o = buffered();
		o.queue_depth = 0;
		auto a = ReplicaApplier::open(io, dir / "f", vol, 1, o, {});
		REQUIRE_FALSE(a);
		CHECK_THAT(a.error(), Catch::Matchers::Contains("queue_depth 0"));
		CHECK_FALSE(ReplicaApplier::open(io, dir / "f", vol, 0, buffered(), {}));
	}
}

TEST_CASE("replica applier: resync data skips what live writes of its window cover",
	  "[replication][applier][resync]")
{
	Bench b;
	b.applier->begin_resync();
	CHECK(b.applier->resync_window_open());

	SECTION("live write first")
	{
		REQUIRE(b.write(1, K, K, 'L'));		 // live [4K,8K)
		REQUIRE(b.write(2, 0, 4 * K, 'R', true)); // resync [0,16K)
	}
	SECTION("live write of a higher seq arrived first")
	{
		REQUIRE(b.write(2, K, K, 'L'));
		REQUIRE(b.write(1, 0, 4 * K, 'R', true));
	}
	SECTION("the resync write still waiting when RESYNC_END comes")
	{
		// Seq 2 waits for seq 1 (they overlap), which cannot complete
		// before the loop runs: the window must outlast end_resync().
		REQUIRE(b.write(1, K, K, 'L'));
		REQUIRE(b.write(2, 0, 4 * K, 'R', true));
		b.applier->end_resync();
		CHECK(b.applier->resync_window_open());
	}
	REQUIRE(b.acked(2));
	for (const WriteAck& a : b.acks)
		CHECK(a.status == 0);
	CHECK(b.read(0, K) == fill(K, 'R'));
	CHECK(b.read(K, K) == fill(K, 'L'));
	CHECK(b.read(2 * K, 2 * K) == fill(2 * K, 'R'));
	const auto c = b.applier->counters();
	CHECK(c.resync_bytes_skipped == K);
	CHECK(c.resync_bytes_written == 3 * K);
	CHECK(c.write_bytes == 4 * K); // 1 live + 3 resync
	b.applier->end_resync();
	CHECK_FALSE(b.applier->resync_window_open());
}

TEST_CASE("replica applier: resync data wholly covered is acked without a write",
	  "[replication][applier][resync]")
{
	Bench b;
	b.applier->begin_resync();
	REQUIRE(b.write(1, 0, 2 * K, 'L'));
	REQUIRE(b.acked(1));
	REQUIRE(b.write(2, 512, K, 'R', true));
	CHECK(b.acks.size() == 1); // not from within write()
	REQUIRE(b.acked(2));
	CHECK(b.acks[1].status == 0);
	CHECK(b.read(0, 2 * K) == fill(2 * K, 'L'));
	CHECK(b.applier->counters().resync_bytes_skipped == K);
	CHECK(b.applier->counters().resync_bytes_written == 0);
}

TEST_CASE("replica applier: after the resync window, resync data is written whole",
	  "[replication][applier][resync]")
{
	Bench b;
	b.applier->begin_resync();
	REQUIRE(b.write(1, K, K, 'L'));
	REQUIRE(b.acked(1));
	b.applier->end_resync();
	CHECK_FALSE(b.applier->resync_window_open());
	REQUIRE(b.write(2, 0, 4 * K, 'R', true));
	REQUIRE(b.acked(2));
	CHECK(b.read(0, 4 * K) == fill(4 * K, 'R'));
	CHECK(b.applier->counters().resync_bytes_skipped == 0);
	CHECK(b.applier->counters().resync_bytes_written == 4 * K);
}

TEST_CASE("replica applier: live writes before the window do not protect",
	  "[replication][applier][resync]")
{
	Bench b;
	REQUIRE(b.write(1, K, K, 'L')); // before RESYNC_BEGIN: the resync may carry newer data
	b.applier->begin_resync();
	REQUIRE(b.write(2, 0, 4 * K, 'R', true));
	REQUIRE(b.acked(2));
	CHECK(b.read(0, 4 * K) == fill(4 * K, 'R'));
}

TEST_CASE("replica applier: discards", "[replication][applier]")
{
	Bench b;
	REQUIRE(b.write(1, 0, 4 * K, 'x'));
	REQUIRE(b.acked(1));

	SECTION("punch a hole that reads back as zeros")
	{
		REQUIRE(b.applier->discard(Discard{vol, 2, K, K, false}));
		CHECK(b.acks.size() == 1); // not from within discard()
		REQUIRE(b.acked(2));
		CHECK(b.acks[1].seq == 2);
		CHECK(b.acks[1].status == 0);
		CHECK(b.read(0, K) == fill(K, 'x'));
		CHECK(b.read(K, K) == fill(K, '\0'));
		CHECK(b.read(2 * K, 2 * K) == fill(2 * K, 'x'));
		CHECK(b.applier->counters().discards == 1);
		CHECK(b.applier->counters().discard_bytes == K);
	}
	SECTION("ordered after an overlapping write of a lower seq")
	{
		REQUIRE(b.write(2, 0, 2 * K, 'y'));
		REQUIRE(b.applier->discard(Discard{vol, 3, 0, K, false}));
		REQUIRE(b.write(4, 0, 512, 'z'));
		REQUIRE(b.acked(4));
		CHECK(b.read(0, 512) == fill(512, 'z'));
		CHECK(b.read(512, K - 512) == fill(K - 512, '\0'));
		CHECK(b.read(K, K) == fill(K, 'y'));
	}
	SECTION("a resync discard spares live data of its window")
	{
		b.applier->begin_resync();
		REQUIRE(b.write(2, K, K, 'L'));
		REQUIRE(b.applier->discard(Discard{vol, 3, 0, 4 * K, true}));
		REQUIRE(b.acked(3));
		CHECK(b.read(0, K) == fill(K, '\0'));
		CHECK(b.read(K, K) == fill(K, 'L'));
		CHECK(b.read(2 * K, 2 * K) == fill(2 * K, '\0'));
		CHECK(b.applier->counters().resync_bytes_skipped == K);
		CHECK(b.applier->counters().resync_bytes_written == 3 * K);
	}
}

TEST_CASE("replica applier: protocol errors are refused, not crashed on",
	  "[replication][applier]")
{
	Bench b;
	REQUIRE(b.write(1, 0, K, 'a'));

	auto dup = b.write(1, K, K, 'b');
	REQUIRE_FALSE(dup);
	CHECK_THAT(dup.error(), Catch::Matchers::Contains("seq 1 arrived twice"));

	auto other = b.applier->write(Write{vol + 1, 2, 0, false, false, bytes(K, 'c')});
	REQUIRE_FALSE(other);
	CHECK_THAT(other.error(), Catch::Matchers::Contains("volume 4"));

	auto far = b.write(5000, 0, K, 'd');
	REQUIRE_FALSE(far);
	CHECK_THAT(far.error(), Catch::Matchers::Contains("too far ahead"));

	auto far_flush = b.applier->flush(Flush{vol, 5000});
	REQUIRE_FALSE(far_flush);
	CHECK_THAT(far_flush.error(), Catch::Matchers::Contains("FLUSH up to 5000"));

	auto odd = b.write(2, 100, K, 'e');
	REQUIRE_FALSE(odd);
	CHECK_THAT(odd.error(), Catch::Matchers::Contains("offset 100"));

	auto bad_discard = b.applier->discard(Discard{vol, 2, 0, 0, false});
	REQUIRE_FALSE(bad_discard);
	CHECK_THAT(bad_discard.error(), Catch::Matchers::Contains("DISCARD seq 2: length 0"));

	// The refusals kept nothing: seq 1 alone is acked, its data intact.
	REQUIRE(b.acked(1));
	b.run_for(20ms);
	CHECK(b.acks.size() == 1);
	CHECK(b.read(0, K) == fill(K, 'a'));
	CHECK(b.applier->pending() == 0);
}

TEST_CASE("replica applier: stop with writes in flight", "[replication][applier]")
{
	Bench b;
	for (std::uint64_t s = 1; s <= 64; ++s)
		REQUIRE(b.write(s, (s - 1) * 16 * K, 16 * K, 'w'));
	b.io.run_one_for(10ms); // the posted submission: the writes are in the kernel
	b.applier->stop();
	CHECK(b.applier->stopped());
	const std::size_t seen = b.acks.size();
	b.run_for(30ms);
	CHECK(b.acks.size() == seen); // no callback after stop()
	auto after = b.write(100, 0, K, 'x');
	REQUIRE_FALSE(after);
	CHECK_THAT(after.error(), Catch::Matchers::Contains("stopped"));
	b.applier.reset();
	b.run_for(10ms);
}

TEST_CASE("replica applier: a callback may stop or destroy it", "[replication][applier]")
{
	Bench b;
	SECTION("stop")
	{
		b.on_ack = [&](const WriteAck&) { b.applier->stop(); };
	}
	SECTION("destroy")
	{
		b.on_ack = [&](const WriteAck&) { b.applier.reset(); };
	}
	for (std::uint64_t s = 1; s <= 8; ++s)
		REQUIRE(b.write(s, (s - 1) * K, K, 'w'));
	REQUIRE(b.acked(1));
	b.run_for(30ms);
	CHECK(b.acks.size() == 1);
}

TEST_CASE("replica applier: O_DIRECT where the file system has it", "[replication][applier]")
{
	boost::asio::io_context io;
	hps::test::TempDir dir;
	const std::string path = dir / "volume";
	hps::test::write_file(path, std::string(64 * K, '\0'));
	std::vector<WriteAck> acks;
	ApplierOptions o; // direct
	ApplierSink sink{[&](const WriteAck& w) { acks.push_back(w); }, {}};
	auto a = ReplicaApplier::open(io, path, vol, 1, o, std::move(sink));
	if (!a) {
		WARN("no O_DIRECT here: " << a.error());
		return;
	}
	// 512-byte pieces: whatever the file system's block size, the whole
	// 4 KiB write must succeed; its data comes from an unaligned vector.
	std::vector<std::byte> data(K + 1, std::byte{'d'});
	REQUIRE((*a)->write(Write{vol, 1, K, false, false, std::span(data).subspan(1)}));
	const auto end = std::chrono::steady_clock::now() + 5s;
	while (acks.empty() && std::chrono::steady_clock::now() < end)
		io.run_one_for(10ms);
	REQUIRE(acks.size() == 1);
	CHECK(acks[0].status == 0);
	(*a)->stop();
	CHECK(hps::test::read_file(path).substr(K, K) == fill(K, 'd'));
}

TEST_CASE("replica applier: CLEAN marks what no newer, unfinished or failed write touched",
	  "[replication][applier][clean]")
{
	using hps::ByteRange;
	using hpsd::replication::Clean;
	using hpsd::replication::CleanEntry;
	Bench b;
	std::vector<std::vector<hps::ByteRange>> marked;
	int mark_result = 0;
	auto mark = [&](const std::vector<hps::ByteRange>& ranges) {
		marked.push_back(ranges);
		return mark_result;
	};
	REQUIRE(b.write(1, 0, 4 * K, 'a'));
	REQUIRE(b.write(2, 4 * K, 4 * K, 'b'));
	REQUIRE(b.acked(2));
	// Block 1 rewritten (seq 3) after the primary read it for seq 2.
	REQUIRE(b.write(3, K, K, 'c'));
	REQUIRE(b.acked(3));
	auto status = b.applier->clean(Clean{vol, 1, {CleanEntry{0, 8 * K, 2}}}, mark);
	REQUIRE(status);
	CHECK(*status == 0);
	REQUIRE(marked.size() == 1);
	CHECK(marked[0] == std::vector<hps::ByteRange>{{0, K}, {2 * K, 8 * K}});

	// A write not yet acked (in flight) is left out whatever its seq.
	REQUIRE(b.write(4, 6 * K, K, 'd'));
	status = b.applier->clean(Clean{vol, 2, {CleanEntry{4 * K, 4 * K, 4}}}, mark);
	REQUIRE(status);
	REQUIRE(marked.size() == 2);
	CHECK(marked[1] == std::vector<hps::ByteRange>{{4 * K, 6 * K}, {7 * K, 8 * K}});
	REQUIRE(b.acked(4));

	// The kernel's refusal is the CLEAN_ACK's status.
	mark_result = -EPERM;
	status = b.applier->clean(Clean{vol, 3, {CleanEntry{0, K, 4}}}, mark);
	REQUIRE(status);
	CHECK(*status == EPERM);
	CHECK(b.applier->counters().clean_errors == 1);
	CHECK(b.applier->counters().cleans == 3);
	// Another volume's CLEAN is a protocol error.
	CHECK_FALSE(b.applier->clean(Clean{vol + 1, 4, {CleanEntry{0, K, 4}}}, mark));
}
