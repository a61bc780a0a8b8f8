// SPDX-License-Identifier: GPL-2.0-only
// The planner's policy: order, coalescing, queue depth, failures and
// backoff, rate limit, watermarks and flush-on-demand.
#include "test_extents.hpp"

#include <algorithm>

using namespace wbtest;
using namespace std::chrono_literals;
using Reads = std::vector<ReadSegment>;
using Extents = std::vector<DirtyExtent>;

namespace {

const TimePoint t0{};

std::vector<WritebackIo> drain(Planner& p, TimePoint now)
{
	std::vector<WritebackIo> ios;
	while (auto io = p.next_io(now))
		ios.push_back(std::move(*io));
	return ios;
}

} // namespace

TEST_CASE("planner: oldest first by seq", "[writeback][planner]")
{
	Planner p = active_planner();
	(void)p.add(std::vector{ext(1, 100, 1, 5, 1), ext(1, 0, 1, 2, 2), ext(1, 50, 1, 9, 3),
				ext(1, 200, 1, 1, 4)},
		    t0);
	auto ios = drain(p, t0);
	REQUIRE(ios.size() == 4);
	CHECK(ios[0].min_seq == 1);
	CHECK(ios[1].min_seq == 2);
	CHECK(ios[2].min_seq == 5);
	CHECK(ios[3].min_seq == 9);
	CHECK(ios[0].offset_bytes == 200 * block);
}

TEST_CASE("planner: across volumes, earlier received goes first, then seq",
	  "[writeback][planner]")
{
	Planner p = active_planner();
	(void)p.add(std::vector{ext(1, 0, 1, 500, 1)}, t0);
	(void)p.add(std::vector{ext(2, 0, 1, 3, 2), ext(3, 0, 1, 7, 3), ext(4, 0, 1, 4, 4)},
		    t0 + 1s);
	auto ios = drain(p, t0 + 1s);
	REQUIRE(ios.size() == 4);
	CHECK(ios[0].volume_id == 1);
	CHECK(ios[1].volume_id == 2);
	CHECK(ios[2].volume_id == 4);
	CHECK(ios[3].volume_id == 3);
}

TEST_CASE("planner: adjacent extents of a volume are coalesced", "[writeback][planner]")
{
	Planner p = active_planner();
	(void)p.add(std::vector{ext(1, 1, 1, 1, 50), ext(1, 0, 1, 3, 10), ext(1, 2, 2, 2, 11)}, t0);
	auto ios = drain(p, t0);
	REQUIRE(ios.size() == 1);
	CHECK(ios[0].volume_id == 1);
	CHECK(ios[0].offset_bytes == 0);
	CHECK(ios[0].length_bytes == 4 * block);
	CHECK(ios[0].min_seq == 1);
	CHECK(ios[0].reads == Reads{read(10, 0, 1, 3), read(50, 1, 1, 1), read(11, 2, 2, 2)});
	auto clean = done(p, ios[0].id);
	CHECK(clean.size() == 3);
	CHECK(p.extent_count() == 0);
}

TEST_CASE("planner: no coalescing across volumes or gaps", "[writeback][planner]")
{
	Planner p = active_planner();
	(void)p.add(std::vector{ext(1, 0, 1, 1, 0), ext(2, 1, 1, 2, 1), ext(1, 2, 1, 3, 2)}, t0);
	auto ios = drain(p, t0);
	REQUIRE(ios.size() == 3);
	for (const auto& io : ios) {
		CHECK(io.length_bytes == block);
		CHECK(io.reads.size() == 1);
	}
}

TEST_CASE("planner: coalescing stops at the max io size", "[writeback][planner]")
{
	Planner p = active_planner();
	std::vector<DirtyExtent> batch;
	for (std::uint32_t i = 0; i < 300; ++i)
		batch.push_back(ext(1, i, 1, i + 1, 1000 - i)); // cache not contiguous
	REQUIRE(p.add(batch, t0).added == 300);
	auto ios = drain(p, t0);
	REQUIRE(ios.size() == 2);
	CHECK(ios[0].offset_bytes == 0);
	CHECK(ios[0].length_bytes == 1024 * 1024);
	CHECK(ios[0].reads.size() == 256);
	CHECK(ios[1].offset_bytes == 256 * block);
	CHECK(ios[1].length_bytes == 44 * block);
	CHECK(done(p, ios[1].id).size() == 44);
	CHECK(done(p, ios[0].id).size() == 256);
}

TEST_CASE("planner: an extent larger than an io is written in parts", "[writeback][planner]")
{
	Planner p = active_planner();
	const auto big = ext(1, 0, 768, 1, 0); // 3 MiB
	(void)p.add(std::vector{big}, t0);
	auto ios = drain(p, t0);
	REQUIRE(ios.size() == 3);
	CHECK(ios[0].reads == Reads{read(0, 0, 256, 1)});
	CHECK(ios[1].reads == Reads{read(256, 256, 256, 1)});
	CHECK(ios[2].reads == Reads{read(512, 512, 256, 1)});
	CHECK(done(p, ios[2].id).empty());
	CHECK(done(p, ios[0].id).empty());
	CHECK(done(p, ios[1].id) == Extents{big});
}

TEST_CASE("planner: at most max_inflight ios are out", "[writeback][planner]")
{
	PlannerConfig c;
	c.max_inflight = 4;
	Planner p = active_planner(c);
	std::vector<DirtyExtent> batch;
	for (std::uint32_t i = 0; i < 10; ++i)
		batch.push_back(ext(1, i * 2, 1, i + 1, i)); // gaps: one io each
	(void)p.add(batch, t0);
	auto ios = drain(p, t0);
	REQUIRE(ios.size() == 4);
	CHECK(p.inflight() == 4);
	CHECK_FALSE(p.next_wakeup(t0)); // only a completion helps
	CHECK(done(p, ios[1].id).size() == 1);
	auto more = drain(p, t0);
	REQUIRE(more.size() == 1);
	CHECK(more[0].min_seq == 5);
}

TEST_CASE("planner: a failed io keeps its extents and backs off", "[writeback][planner]")
{
	PlannerConfig c;
	c.backoff_initial = 1s;
	c.backoff_max = 4s;
	Planner p = active_planner(c);
	std::vector<DirtyExtent> batch;
	for (std::uint32_t i = 0; i < 6; ++i)
		batch.push_back(ext(1, i * 2, 1, i + 1, i));
	(void)p.add(batch, t0);
	auto ios = drain(p, t0);
	REQUIRE(ios.size() == 6);

	// Ceph goes away: every io in flight fails; one round, one doubling.
	for (const auto& io : ios) {
		auto r = p.complete(io.id, false, t0 + 100ms);
		REQUIRE(r.ok());
		CHECK(r->empty());
	}
	CHECK(p.extent_count() == 6);
	CHECK(p.pending_bytes() == 6 * block);
	CHECK(p.backing_off());
	CHECK(p.backoff().failures() == 1);
	CHECK_FALSE(p.next_io(t0 + 500ms));
	CHECK(p.next_wakeup(t0 + 500ms) == t0 + 1100ms);

	// One probe at a time, oldest first.
	auto probe = p.next_io(t0 + 1100ms);
	REQUIRE(probe);
	CHECK(probe->min_seq == 1);
	CHECK_FALSE(p.next_io(t0 + 1100ms));
	REQUIRE(p.complete(probe->id, false, t0 + 1200ms).ok());
	CHECK(p.backoff().failures() == 2);
	CHECK(p.next_wakeup(t0 + 1200ms) == t0 + 3200ms);
	CHECK_FALSE(p.next_io(t0 + 3100ms));

	// More failures: the delay is capped.
	for (int i = 0; i < 5; ++i) {
		TimePoint at = p.backoff().retry_at();
		auto again = p.next_io(at);
		REQUIRE(again);
		REQUIRE(p.complete(again->id, false, at).ok());
	}
	CHECK(p.backoff().delay() == 4s);
	CHECK(p.extent_count() == 6);

	// Ceph is back: the probe succeeds and the rest goes at full depth.
	TimePoint back = p.backoff().retry_at();
	auto ok = p.next_io(back);
	REQUIRE(ok);
	CHECK(done(p, ok->id, back).size() == 1);
	CHECK_FALSE(p.backing_off());
	auto rest = drain(p, back);
	CHECK(rest.size() == 5);
	for (const auto& io : rest)
		CHECK(done(p, io.id, back).size() == 1);
	CHECK(p.extent_count() == 0);
	CHECK(p.pending_bytes() == 0);
}

TEST_CASE("planner: completing an unknown io is an error", "[writeback][planner]")
{
	Planner p = active_planner();
	auto r = p.complete(42, true, t0);
	REQUIRE_FALSE(r.ok());
	CHECK(r.error() == "io 42 is not in flight");
	(void)p.add(std::vector{ext(1, 0, 1, 1, 0)}, t0);
	auto io = p.next_io(t0);
	REQUIRE(io);
	REQUIRE(p.complete(io->id, true, t0).ok());
	CHECK_FALSE(p.complete(io->id, true, t0).ok()); // not twice
}

TEST_CASE("planner: duplicates and invalid extents are counted, not held",
	  "[writeback][planner]")
{
	Planner p = active_planner();
	auto stats = p.add(std::vector{ext(1, 0, 1, 1, 0), ext(1, 0, 1, 1, 0), ext(1, 4, 0, 2, 0)},
			   t0);
	CHECK(stats.added == 1);
	CHECK(stats.duplicate == 1);
	CHECK(stats.invalid == 1);
	CHECK(p.extent_count() == 1);
}

TEST_CASE("planner: the rate limit paces ios in active state", "[writeback][planner]")
{
	PlannerConfig c;
	c.rate_bytes_per_s = 1024 * 1024; // 1 MiB/s, burst one io (1 MiB)
	Planner p = active_planner(c, t0);
	std::vector<DirtyExtent> batch;
	for (std::uint32_t i = 0; i < 100; ++i)
		batch.push_back(ext(1, i * 2, 64, i + 1, i * 64)); // 256 KiB each, gaps between
	for (auto& e : batch)
		e.offset_bytes = std::uint64_t{e.seq} * 1024 * 1024;
	(void)p.add(batch, t0);
	CHECK_FALSE(p.next_io(t0)); // the bucket starts empty
	CHECK(p.next_wakeup(t0) == t0 + 250ms);

	// Over 10 simulated seconds 10 MiB accrue: one 256 KiB io every 250 ms
	// from 250 ms (the bucket starts empty) to 9.75 s, 39 ios.
	std::size_t issued = 0;
	TimePoint now = t0;
	while (now < t0 + 10s) {
		while (auto io = p.next_io(now)) {
			++issued;
			REQUIRE(p.complete(io->id, true, now).ok());
		}
		auto wake = p.next_wakeup(now);
		REQUIRE(wake);
		REQUIRE(*wake > now);
		now = *wake;
	}
	CHECK(issued == 39);
}

TEST_CASE("planner: urgent ignores the rate limit", "[writeback][planner]")
{
	PlannerConfig c;
	c.rate_bytes_per_s = 1000;
	c.max_inflight = 8;
	Planner p = active_planner(c, t0);
	std::vector<DirtyExtent> batch;
	for (std::uint32_t i = 0; i < 20; ++i)
		batch.push_back(ext(1, i * 2, 1, i + 1, i));
	(void)p.add(batch, t0);
	CHECK_FALSE(p.next_io(t0));
	REQUIRE(p.update_dirty(90, 100) == Pressure::urgent);
	CHECK(p.throttle_writes());
	CHECK(p.next_wakeup(t0) == t0);
	CHECK(drain(p, t0).size() == 8);
	// Back to active below 75 %: the limit applies again.
	REQUIRE(p.update_dirty(76, 100) == Pressure::urgent);
	REQUIRE(p.update_dirty(74, 100) == Pressure::active);
	CHECK_FALSE(p.throttle_writes());
	for (IoId id = 1; id <= 8; ++id)
		REQUIRE(p.complete(id, true, t0).ok());
	CHECK_FALSE(p.next_io(t0));
}

TEST_CASE("planner: idle writes back only extents older than the idle age",
	  "[writeback][planner]")
{
	Planner p = make_planner();
	REQUIRE(p.update_dirty(5, 100) == Pressure::idle);
	(void)p.add(std::vector{ext(1, 0, 1, 1, 0)}, t0);
	(void)p.add(std::vector{ext(1, 10, 1, 2, 1)}, t0 + 10s);
	CHECK_FALSE(p.next_io(t0 + 29s));
	CHECK(p.next_wakeup(t0 + 29s) == t0 + 30s);
	auto io = p.next_io(t0 + 30s);
	REQUIRE(io);
	CHECK(io->min_seq == 1);
	CHECK_FALSE(p.next_io(t0 + 30s));
	CHECK(p.next_wakeup(t0 + 30s) == t0 + 40s);
	// Passing the low watermark writes the young one at once.
	REQUIRE(p.update_dirty(10, 100) == Pressure::active);
	CHECK(p.next_io(t0 + 30s));
}

TEST_CASE("planner: idle with no idle age writes nothing", "[writeback][planner]")
{
	PlannerConfig c;
	c.idle_age.reset();
	Planner p = make_planner(c);
	(void)p.add(std::vector{ext(1, 0, 1, 1, 0)}, t0);
	CHECK_FALSE(p.next_io(t0 + 24h));
	CHECK_FALSE(p.next_wakeup(t0 + 24h));
}

TEST_CASE("planner: flush-on-demand extents go first", "[writeback][planner]")
{
	PlannerConfig c;
	c.max_inflight = 1;
	Planner p = active_planner(c);
	(void)p.add(std::vector{ext(1, 0, 1, 1, 0)}, t0);
	(void)p.add(std::vector{ext(2, 0, 1, 4, 1), ext(2, 10, 1, 6, 2), ext(2, 20, 1, 5, 3)},
		    t0 + 1s);
	p.request_flush(2, 5);
	CHECK_FALSE(p.flush_done(2, 5));
	CHECK(p.flush_done(1, 0)); // nothing of volume 1 that old

	auto first = p.next_io(t0 + 1s);
	REQUIRE(first);
	CHECK(first->volume_id == 2);
	CHECK(first->min_seq == 4);
	CHECK(first->flush_priority);
	REQUIRE(done(p, first->id).size() == 1);
	CHECK_FALSE(p.flush_done(2, 5));

	auto second = p.next_io(t0 + 1s);
	REQUIRE(second);
	CHECK(second->volume_id == 2);
	CHECK(second->min_seq == 5);
	REQUIRE(done(p, second->id).size() == 1);
	CHECK(p.flush_done(2, 5));

	// The flush is satisfied: back to oldest first.
	auto third = p.next_io(t0 + 1s);
	REQUIRE(third);
	CHECK(third->volume_id == 1);
	CHECK_FALSE(third->flush_priority);
}

TEST_CASE("planner: a flush goes out even while idle and reaches hidden old data",
	  "[writeback][planner]")
{
	Planner p = make_planner();
	REQUIRE(p.pressure() == Pressure::idle);
	const auto old = ext(3, 0, 1, 1, 0);
	const auto newer = ext(3, 0, 1, 9, 1);
	(void)p.add(std::vector{ext(3, 50, 1, 2, 5), old, newer}, t0);
	CHECK_FALSE(p.next_io(t0));
	p.request_flush(3, 1);
	auto io = p.next_io(t0);
	REQUIRE(io);
	CHECK(io->reads == Reads{read(1, 0, 1, 9)});
	CHECK(io->flush_priority);
	CHECK_FALSE(p.next_io(t0)); // seq 2 is not asked for and is young
	CHECK(done(p, io->id) == Extents{old, newer});
	CHECK(p.flush_done(3, 1));
}

TEST_CASE("planner: set_rate validates and applies", "[writeback][planner]")
{
	Planner p = active_planner();
	(void)p.add(std::vector{ext(1, 0, 1, 1, 0)}, t0);
	auto bad = p.set_rate(std::uint64_t{1} << 41, 0, t0);
	REQUIRE_FALSE(bad.ok());
	CHECK(bad.error()[0].field == "rate_bytes_per_s");
	REQUIRE(p.set_rate(4096, 4096, t0).ok());
	CHECK_FALSE(p.next_io(t0));
	CHECK(p.next_wakeup(t0) == t0 + 1s);
	CHECK(p.next_io(t0 + 1s));
}

TEST_CASE("planner: release_held hands back every extent and keeps the backoff",
	  "[writeback][planner]")
{
	Planner p = active_planner();
	(void)p.add(std::vector{ext(1, 0, 1, 1, 1), ext(1, 5, 1, 2, 2), ext(2, 0, 1, 3, 3)}, t0);
	auto io = p.next_io(t0);
	REQUIRE(io);
	CHECK_FALSE(p.release_held().ok()); // an io is in flight
	REQUIRE(p.complete(io->id, false, t0).ok());
	REQUIRE(p.backing_off());
	auto released = p.release_held();
	REQUIRE(released.ok());
	CHECK(*released == Extents{ext(1, 0, 1, 1, 1), ext(1, 5, 1, 2, 2), ext(2, 0, 1, 3, 3)});
	CHECK(p.extent_count() == 0);
	CHECK(p.pending_bytes() == 0);
	CHECK(p.backing_off());
	CHECK_FALSE(p.next_io(t0 + 10s));
	// What comes next is planned as usual, behind one probe.
	(void)p.add(std::vector{ext(1, 0, 1, 4, 1)}, t0 + 2s);
	auto probe = p.next_io(t0 + 2s);
	REQUIRE(probe);
	CHECK(probe->offset_bytes == 0);
}
