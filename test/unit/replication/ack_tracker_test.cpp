// SPDX-License-Identifier: GPL-2.0-only
// The primary's tracker of writes and flushes waiting for the peer, and the
// two sides together through the codec.
#include "frames.hpp"

#include "replication/ack_tracker.hpp"
#include "replication/apply_order.hpp"

#include <catch2/catch.hpp>

using namespace repltest;
using Catch::Matchers::Contains;
using Completion = AckTracker::Completion;
using namespace std::chrono_literals;

namespace {

const AckTracker::Clock::time_point t0{};

std::uint64_t sent(AckTracker& t, std::uint64_t cookie, AckTracker::Clock::time_point now = t0)
{
	auto seq = t.send(cookie, now);
	REQUIRE(seq);
	return *seq;
}

} // namespace

TEST_CASE("ack tracker: each WRITE_ACK completes its own write", "[replication][acks]")
{
	AckTracker t(100);
	CHECK(sent(t, 7) == 100);
	CHECK(sent(t, 8) == 101);
	CHECK(sent(t, 9) == 102);
	CHECK(t.outstanding_writes() == 3);
	CHECK(t.next_seq() == 103);

	auto a = t.ack(101, 0);
	REQUIRE(a);
	CHECK(*a == Completion{8, 101, 0});
	auto b = t.ack(100, 5);
	REQUIRE(b);
	CHECK(*b == Completion{7, 100, 5}); // the peer's errno, for the caller to act on
	CHECK(t.outstanding_writes() == 1);
}

TEST_CASE("ack tracker: acks that answer nothing are protocol errors", "[replication][acks]")
{
	AckTracker t(1);
	(void)sent(t, 1);
	auto never = t.ack(2, 0);
	REQUIRE_FALSE(never);
	CHECK(never.error() == "WRITE_ACK for seq 2, which was never sent");
	REQUIRE(t.ack(1, 0));
	auto twice = t.ack(1, 0);
	REQUIRE_FALSE(twice);
	CHECK(twice.error() == "WRITE_ACK for seq 1, which is not outstanding");
	CHECK_FALSE(t.ack(0, 0));
}

TEST_CASE("ack tracker: at most max_outstanding writes wait", "[replication][acks]")
{
	AckTracker t(1, 2);
	(void)sent(t, 1);
	(void)sent(t, 2);
	CHECK(t.full());
	auto third = t.send(3, t0);
	REQUIRE_FALSE(third);
	CHECK(third.error() == "2 writes already wait for the peer");
	CHECK(t.next_seq() == 3); // no seq was used up
	REQUIRE(t.ack(1, 0));
	CHECK(sent(t, 3) == 3);
}

TEST_CASE("ack tracker: a FLUSH_ACK completes every flush up to it", "[replication][acks]")
{
	AckTracker t(1);
	auto f0 = t.flush(50, t0);
	REQUIRE(f0);
	CHECK(*f0 == 0); // nothing written yet
	(void)sent(t, 1);
	(void)sent(t, 2);
	auto f1 = t.flush(51, t0);
	REQUIRE(f1);
	CHECK(*f1 == 2);
	(void)sent(t, 3);
	auto f2 = t.flush(52, t0);
	REQUIRE(f2);
	CHECK(*f2 == 3);

	auto done = t.flush_ack(2, 0);
	REQUIRE(done);
	CHECK(*done == std::vector<Completion>{{50, 0, 0}, {51, 2, 0}});
	auto stale = t.flush_ack(2, 0);
	REQUIRE_FALSE(stale);
	CHECK(stale.error() == "FLUSH_ACK up to 2 answers no FLUSH");
	auto ahead = t.flush_ack(4, 0);
	REQUIRE_FALSE(ahead);
	CHECK(ahead.error() == "FLUSH_ACK up to 4, but the last seq sent is 3");
	auto failed = t.flush_ack(3, 5);
	REQUIRE(failed);
	CHECK(*failed == std::vector<Completion>{{52, 3, 5}});
	CHECK(t.outstanding_flushes() == 0);
}

TEST_CASE("ack tracker: abandon() hands back everything when the link is gone",
	  "[replication][acks]")
{
	AckTracker t(1);
	CHECK_FALSE(t.oldest_sent());
	(void)sent(t, 10, t0 + 1s);
	(void)sent(t, 11, t0 + 2s);
	REQUIRE(t.flush(12, t0 + 3s));
	(void)sent(t, 13, t0 + 4s);
	REQUIRE(t.ack(1, 0));
	CHECK(t.oldest_sent() == t0 + 2s);

	const auto left = t.abandon();
	CHECK(left.writes == std::vector<Completion>{{11, 2, 0}, {13, 3, 0}}); // a flush takes no seq
	CHECK(left.flushes == std::vector<Completion>{{12, 2, 0}});
	CHECK(t.outstanding_writes() == 0);
	CHECK_FALSE(t.oldest_sent());
	CHECK(sent(t, 14) == 4); // seqs go on
}

TEST_CASE("replication: primary and secondary through the codec", "[replication][acks][order]")
{
	// The primary sends overlapping and separate writes and a flush; the
	// secondary orders them, acks as it applies; every request completes.
	AckTracker primary(1);
	ApplyOrder secondary(1);
	const Limits limits;
	std::vector<Bytes> to_secondary, to_primary;
	const std::uint64_t offsets[] = {0, 4096, 0, 65536};
	for (std::uint64_t i = 0; i < 4; i++) {
		const std::uint64_t seq = sent(primary, 100 + i);
		to_secondary.push_back(
			encode(Write{3, seq, offsets[i], false, false, sample_data().first(4096)}));
	}
	auto up_to = primary.flush(200, t0);
	REQUIRE(up_to);
	to_secondary.push_back(encode(Flush{3, *up_to}));

	std::vector<std::uint64_t> ready;
	auto queue = [&](const ApplyOrder::Ready& r) {
		ready.insert(ready.end(), r.writes.begin(), r.writes.end());
		for (std::uint64_t f : r.flushes)
			to_primary.push_back(encode(FlushAck{3, f, 0}));
	};
	for (const Bytes& frame : to_secondary) {
		auto m = decode(frame, limits);
		REQUIRE(m);
		if (const auto* w = std::get_if<Write>(&*m)) {
			auto r = secondary.arrive(w->seq, w->offset, w->data.size());
			REQUIRE(r);
			queue(*r);
		} else {
			auto r = secondary.flush(std::get<Flush>(*m).up_to);
			REQUIRE(r);
			queue(*r);
		}
	}
	CHECK(ready == std::vector<std::uint64_t>{1, 2, 4}); // 3 overlaps 1
	while (!ready.empty()) {
		const std::uint64_t seq = ready.back(); // NVMe completions in any order
		ready.pop_back();
		to_primary.push_back(encode(WriteAck{3, seq, 0}));
		auto r = secondary.applied(seq);
		REQUIRE(r);
		queue(*r);
	}

	std::vector<std::uint64_t> completed;
	for (const Bytes& frame : to_primary) {
		auto m = decode(frame, limits);
		REQUIRE(m);
		if (const auto* a = std::get_if<WriteAck>(&*m)) {
			auto c = primary.ack(a->seq, a->status);
			REQUIRE(c);
			completed.push_back(c->cookie);
		} else {
			auto c = primary.flush_ack(std::get<FlushAck>(*m).up_to, 0);
			REQUIRE(c);
			for (const auto& f : *c)
				completed.push_back(f.cookie);
		}
	}
	std::sort(completed.begin(), completed.end());
	CHECK(completed == std::vector<std::uint64_t>{100, 101, 102, 103, 200});
	CHECK(primary.outstanding_writes() == 0);
	CHECK(primary.outstanding_flushes() == 0);
}
