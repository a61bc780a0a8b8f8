// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/points.hpp"
#include "logreplay/log_writer.hpp"

#include <catch2/catch.hpp>

using namespace hps::logreplay;
using hps::logreplay::test::FUA;
using hps::logreplay::test::LogWriter;
using hps::logreplay::test::pattern;
using hps::logreplay::test::sample_log;

namespace {

LogIndex index_of(const LogWriter& w)
{
	auto bytes = w.bytes();
	MemorySource src(bytes);
	auto log = read_log(src);
	REQUIRE(log);
	return std::move(log).value();
}

std::string describe(const std::vector<ReplayPoint>& points)
{
	std::string s;
	for (const auto& p : points)
		s += std::to_string(p.entry) + ":" + p.kind + (p.name.empty() ? "" : "=" + p.name) + " ";
	return s;
}

} // namespace

TEST_CASE("logreplay points: every flush and FUA and mark")
{
	auto points = replay_points(index_of(sample_log()), 0);
	CHECK(describe(points) == "2:flush 3:mark=one 4:fua 7:flush 8:mark=two 9:flush+fua 12:mark=dm-log-writes-end ");
}

TEST_CASE("logreplay points: between flushes")
{
	LogWriter w;
	for (int i = 0; i < 9; ++i)
		w.write(i, pattern(512, i)); // 0..8
	w.flush();			     // 9
	w.write(20, pattern(512, 20));	     // 10
	w.flush();			     // 11
	w.flush();			     // 12
	for (int i = 0; i < 3; ++i)
		w.write(30 + i, pattern(512, i)); // 13..15
	auto log = index_of(w);

	// Gap before the first flush (entries 0..8), between 9 and 11 (only
	// entry 10), none between 11 and 12, after 12 (13..15).
	CHECK(describe(replay_points(log, 1)) == "4:between 9:flush 10:between 11:flush 12:flush 14:between ");
	CHECK(describe(replay_points(log, 2)) ==
	      "2:between 5:between 9:flush 10:between 11:flush 12:flush 13:between 14:between ");
	// More wanted than there are: every entry once.
	auto all = replay_points(log, 1000);
	CHECK(all.size() == 16);
	for (std::size_t i = 0; i < all.size(); ++i)
		CHECK(all[i].entry == i);
}

TEST_CASE("logreplay points: a log without flushes")
{
	LogWriter w;
	for (int i = 0; i < 5; ++i)
		w.write(i, pattern(512, i));
	w.mark("m");
	auto log = index_of(w);
	CHECK(describe(replay_points(log, 0)) == "5:mark=m ");
	CHECK(describe(replay_points(log, 1)) == "2:between 5:mark=m ");
	CHECK(replay_points(index_of(LogWriter()), 3).empty());
}

TEST_CASE("logreplay points: FUA writes count as durable points")
{
	LogWriter w;
	w.write(0, pattern(512, 1));
	w.write(1, pattern(512, 2), FUA);
	w.write(2, pattern(512, 3));
	w.write(3, pattern(512, 4));
	auto log = index_of(w);
	CHECK(describe(replay_points(log, 1)) == "0:between 1:fua 2:between ");
}
