// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/interval_set.hpp"

#include <catch2/catch.hpp>

using hps::logreplay::IntervalSet;
using hps::logreplay::Range;
using Ranges = std::vector<Range>;

TEST_CASE("logreplay interval set: merges and reports gaps")
{
	IntervalSet s;
	CHECK(s.uncovered({0, 10}) == Ranges{{0, 10}});
	s.add({10, 20});
	s.add({30, 40});
	s.add({5, 5}); // empty: ignored
	CHECK(s.ranges() == Ranges{{10, 20}, {30, 40}});
	CHECK(s.uncovered({0, 50}) == Ranges{{0, 10}, {20, 30}, {40, 50}});
	CHECK(s.uncovered({12, 18}).empty());
	CHECK(s.uncovered({15, 35}) == Ranges{{20, 30}});
	s.add({20, 30}); // touching both: one range
	CHECK(s.ranges() == Ranges{{10, 40}});
	s.add({0, 5});
	s.add({3, 12});
	CHECK(s.ranges() == Ranges{{0, 40}});
	s.add({50, 60});
	s.add({45, 70});
	CHECK(s.ranges() == Ranges{{0, 40}, {45, 70}});
	CHECK(s.uncovered({39, 46}) == Ranges{{40, 45}});
}
