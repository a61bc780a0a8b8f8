// SPDX-License-Identifier: GPL-2.0-only
// Overlapping versions of the same bytes: newest wins, older data is never
// written, and an extent is clean only once data at least as new as it is
// written over its whole range.
#include "test_extents.hpp"

using namespace wbtest;
using namespace std::chrono_literals;
using Reads = std::vector<ReadSegment>;
using Extents = std::vector<DirtyExtent>;

TEST_CASE("overlap: a newer version hides the older one, which is never read",
	  "[writeback][overlap]")
{
	Planner p = active_planner();
	const auto a = ext(1, 0, 1, 1, 100);
	const auto b = ext(1, 0, 1, 5, 200);
	REQUIRE(p.add(std::vector{b, a}, {}).added == 2);
	auto io = p.next_io({});
	REQUIRE(io);
	CHECK(io->reads == Reads{read(200, 0, 1, 5)});
	CHECK(io->min_seq == 1); // it brings extent a up to date too
	CHECK_FALSE(p.next_io({}));
	CHECK(done(p, io->id) == Extents{a, b});
	CHECK(p.extent_count() == 0);
}

TEST_CASE("overlap: partial overlap writes old outside, new inside", "[writeback][overlap]")
{
	Planner p = active_planner();
	const auto a = ext(1, 0, 2, 1, 100); // blocks 0-1
	const auto b = ext(1, 1, 2, 2, 200); // blocks 1-2
	(void)p.add(std::vector{a, b}, {});
	auto io = p.next_io({});
	REQUIRE(io);
	CHECK(io->offset_bytes == 0);
	CHECK(io->length_bytes == 3 * block);
	CHECK(io->reads == Reads{read(100, 0, 1, 1), read(200, 1, 2, 2)});
	CHECK(done(p, io->id) == Extents{a, b});
}

TEST_CASE("overlap: older reported after newer is still hidden", "[writeback][overlap]")
{
	Planner p = active_planner();
	const auto a = ext(1, 2, 1, 3, 100);
	const auto b = ext(1, 0, 4, 9, 200);
	(void)p.add(std::vector{b}, {});
	(void)p.add(std::vector{a}, {});
	auto io = p.next_io({});
	REQUIRE(io);
	CHECK(io->reads == Reads{read(200, 0, 4, 9)});
	CHECK(done(p, io->id) == Extents{a, b});
}

TEST_CASE("overlap: newer data arriving while the older is in flight waits for it",
	  "[writeback][overlap]")
{
	Planner p = active_planner();
	const auto a = ext(1, 0, 2, 1, 100);
	const auto b = ext(1, 1, 1, 2, 200);
	(void)p.add(std::vector{a}, {});
	auto first = p.next_io({});
	REQUIRE(first);
	(void)p.add(std::vector{b}, {});
	// b overlaps the write in flight: never two writes of a byte at once.
	CHECK_FALSE(p.next_io({}));
	CHECK_FALSE(p.next_wakeup({}));
	CHECK(done(p, first->id) == Extents{a});
	auto second = p.next_io({});
	REQUIRE(second);
	CHECK(second->reads == Reads{read(200, 1, 1, 2)});
	CHECK(done(p, second->id) == Extents{b});
}

TEST_CASE("overlap: older data arriving while the newer is in flight rides on it",
	  "[writeback][overlap]")
{
	Planner p = active_planner();
	const auto a = ext(1, 0, 1, 1, 100);
	const auto b = ext(1, 0, 2, 4, 200);
	(void)p.add(std::vector{b}, {});
	auto io = p.next_io({});
	REQUIRE(io);
	(void)p.add(std::vector{a}, {});
	CHECK_FALSE(p.next_io({})); // nothing of a is left to write
	CHECK(done(p, io->id) == Extents{a, b});
}

TEST_CASE("overlap: a failed older write is not retried over newer data",
	  "[writeback][overlap]")
{
	Planner p = active_planner();
	const auto a = ext(1, 0, 2, 1, 100);
	const auto b = ext(1, 0, 2, 2, 200);
	(void)p.add(std::vector{a}, {});
	auto first = p.next_io({});
	REQUIRE(first);
	(void)p.add(std::vector{b}, {});
	auto failed = p.complete(first->id, false, {});
	REQUIRE(failed.ok());
	CHECK(failed->empty());
	CHECK(p.extent_count() == 2);
	CHECK_FALSE(p.next_io({}));  // backing off
	auto retry = p.next_io(TimePoint{} + 1s);
	REQUIRE(retry);
	CHECK(retry->reads == Reads{read(200, 0, 2, 2)});
	CHECK(retry->min_seq == 1);
	CHECK(done(p, retry->id, TimePoint{} + 2s) == Extents{a, b});
}

TEST_CASE("overlap: an extent hidden across two ios is clean only after both",
	  "[writeback][overlap]")
{
	PlannerConfig c;
	c.max_io_bytes = 4096;
	Planner p = active_planner(c);
	const auto a = ext(1, 0, 2, 1, 100);
	const auto b = ext(1, 1, 1, 2, 200);
	(void)p.add(std::vector{a, b}, {});
	auto first = p.next_io({});
	auto second = p.next_io({});
	REQUIRE(first);
	REQUIRE(second);
	CHECK(first->reads == Reads{read(100, 0, 1, 1)});
	CHECK(second->reads == Reads{read(200, 1, 1, 2)});
	CHECK(done(p, first->id).empty()); // a's second block is not written yet
	CHECK(done(p, second->id) == Extents{a, b});
}

TEST_CASE("overlap: a newer extent splits an older one in three", "[writeback][overlap]")
{
	PlannerConfig c;
	c.max_io_bytes = 4096;
	Planner p = active_planner(c);
	const auto a = ext(1, 0, 3, 1, 100);
	const auto b = ext(1, 1, 1, 7, 200);
	(void)p.add(std::vector{a, b}, {});
	std::vector<WritebackIo> ios;
	while (auto io = p.next_io({}))
		ios.push_back(*io);
	REQUIRE(ios.size() == 3);
	Reads reads;
	for (const auto& io : ios)
		reads.insert(reads.end(), io.reads.begin(), io.reads.end());
	std::sort(reads.begin(), reads.end(), [](const ReadSegment& x, const ReadSegment& y) {
		return x.volume_offset_bytes < y.volume_offset_bytes;
	});
	CHECK(reads == Reads{read(100, 0, 1, 1), read(200, 1, 1, 7), read(102, 2, 1, 1)});
	CHECK(done(p, ios[0].id).empty());
	CHECK(done(p, ios[1].id) == Extents{b}); // all of b is written; a is not
	CHECK(done(p, ios[2].id) == Extents{a});
}

TEST_CASE("overlap: versions never cross volumes", "[writeback][overlap]")
{
	Planner p = active_planner();
	(void)p.add(std::vector{ext(1, 0, 1, 1, 100), ext(2, 0, 1, 9, 200)}, {});
	auto x = p.next_io({});
	auto y = p.next_io({});
	REQUIRE(x);
	REQUIRE(y);
	CHECK(x->volume_id != y->volume_id);
	CHECK(done(p, x->id).size() == 1);
	CHECK(done(p, y->id).size() == 1);
}
