// SPDX-License-Identifier: GPL-2.0-only
// The set of byte ranges the applier keeps of a resync window's live
// writes: merging on insert, and the pieces of a range it does not cover.
#include "util/range_set.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <vector>

using hps::ByteRange;
using hps::RangeSet;
using Ranges = std::vector<ByteRange>;

TEST_CASE("range set: empty covers nothing", "[util][range_set]")
{
	RangeSet s;
	CHECK(s.empty());
	CHECK(s.uncovered({0, 4096}) == Ranges{{0, 4096}});
	CHECK(s.uncovered({512, 512}).empty());
	s.add({4096, 4096}); // empty: ignored
	CHECK(s.empty());
}

TEST_CASE("range set: overlapping and adjacent ranges merge", "[util][range_set]")
{
	RangeSet s;
	s.add({4096, 8192});
	s.add({0, 4096}); // adjacent below
	CHECK(s.ranges() == Ranges{{0, 8192}});
	s.add({8192, 12288}); // adjacent above
	CHECK(s.ranges() == Ranges{{0, 12288}});
	s.add({20480, 24576});
	s.add({16384, 17408});
	CHECK(s.ranges() == Ranges{{0, 12288}, {16384, 17408}, {20480, 24576}});
	CHECK(s.size() == 3);
	s.add({512, 1024}); // inside: nothing changes
	CHECK(s.ranges() == Ranges{{0, 12288}, {16384, 17408}, {20480, 24576}});
	s.add({10240, 22528}); // bridges three into one
	CHECK(s.ranges() == Ranges{{0, 24576}});
	s.clear();
	CHECK(s.empty());
}

TEST_CASE("range set: the uncovered pieces of a range", "[util][range_set]")
{
	RangeSet s;
	s.add({4096, 8192});
	SECTION("a hole in the middle")
	{
		CHECK(s.uncovered({0, 16384}) == Ranges{{0, 4096}, {8192, 16384}});
	}
	SECTION("covered whole")
	{
		CHECK(s.uncovered({4096, 8192}).empty());
		CHECK(s.uncovered({4608, 5120}).empty());
	}
	SECTION("overlapping one end")
	{
		CHECK(s.uncovered({0, 6144}) == Ranges{{0, 4096}});
		CHECK(s.uncovered({6144, 12288}) == Ranges{{8192, 12288}});
	}
	SECTION("touching but not overlapping")
	{
		CHECK(s.uncovered({0, 4096}) == Ranges{{0, 4096}});
		CHECK(s.uncovered({8192, 8704}) == Ranges{{8192, 8704}});
	}
	SECTION("several ranges inside")
	{
		s.add({10240, 10752});
		s.add({12288, 16384});
		CHECK(s.uncovered({2048, 20480}) ==
		      Ranges{{2048, 4096}, {8192, 10240}, {10752, 12288}, {16384, 20480}});
	}
}

TEST_CASE("range set: the top of the 64-bit space", "[util][range_set]")
{
	// ApplyOrder refuses an end past 2^64 - 1, so the highest sector a
	// write may cover starts 1023 bytes below 2^64, rounded down to 512.
	constexpr std::uint64_t top = ~std::uint64_t{0} - 1023;
	RangeSet s;
	s.add({top, top + 512});
	CHECK(s.uncovered({top - 512, top + 512}) == Ranges{{top - 512, top}});
	s.add({top - 512, top});
	CHECK(s.ranges() == Ranges{{top - 512, top + 512}});
}

// Against a sector bitmap: whatever the order of adds, the set holds the
// union, as disjoint non-adjacent ranges, and uncovered() is its complement.
TEST_CASE("range set: agrees with a bitmap", "[util][range_set]")
{
	constexpr std::uint64_t sectors = 256;
	std::mt19937_64 rng(7);
	for (int round = 0; round < 50; ++round) {
		RangeSet s;
		std::vector<bool> bits(sectors, false);
		for (int i = 0; i < 20; ++i) {
			const std::uint64_t b = rng() % sectors;
			const std::uint64_t e = b + 1 + rng() % (sectors - b);
			s.add({b * 512, e * 512});
			for (std::uint64_t x = b; x < e; ++x)
				bits[x] = true;

			const Ranges held = s.ranges();
			for (std::size_t k = 1; k < held.size(); ++k)
				REQUIRE(held[k - 1].end < held[k].begin);
			std::vector<bool> from_set(sectors, false);
			for (const ByteRange& r : held)
				for (std::uint64_t x = r.begin / 512; x < r.end / 512; ++x)
					from_set[x] = true;
			REQUIRE(from_set == bits);

			const std::uint64_t qb = rng() % sectors;
			const std::uint64_t qe = qb + 1 + rng() % (sectors - qb);
			std::vector<bool> expect(sectors, false);
			for (std::uint64_t x = qb; x < qe; ++x)
				expect[x] = !bits[x];
			std::vector<bool> got(sectors, false);
			for (const ByteRange& r : s.uncovered({qb * 512, qe * 512})) {
				REQUIRE(r.begin < r.end);
				for (std::uint64_t x = r.begin / 512; x < r.end / 512; ++x)
					got[x] = true;
			}
			REQUIRE(got == expect);
		}
	}
}
