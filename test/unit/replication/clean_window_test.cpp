// SPDX-License-Identifier: GPL-2.0-only
// The secondary's rule for CLEAN (PROTOCOL.md, "Clean-mark propagation"):
// a range is marked clean only where no write of a higher seq than the
// CLEAN's arrived, nothing is in flight, and no write failed; a CLEAN
// older than what the window still knows is ignored.
#include "replication/clean_window.hpp"

#include <catch2/catch.hpp>

using hps::ByteRange;
using hpsd::replication::CleanEntry;
using hpsd::replication::CleanWindow;
using hps::RangeSet;

namespace {

constexpr std::uint64_t K = 4096;

std::vector<hps::ByteRange> plan(const CleanWindow& w, std::vector<CleanEntry> entries,
			    const hps::RangeSet& busy = {})
{
	return w.plan(entries, busy).ranges;
}

} // namespace

TEST_CASE("clean window: blocks last written at or below the CLEAN's seq go clean",
	  "[replication][clean]")
{
	CleanWindow w(1);
	w.record(1, {0, 4 * K});
	w.record(2, {4 * K, 8 * K});
	CHECK(plan(w, {{0, 8 * K, 2}}) == std::vector<hps::ByteRange>{{0, 8 * K}});
	CHECK(plan(w, {{0, 8 * K, 5}}) == std::vector<hps::ByteRange>{{0, 8 * K}});
}

TEST_CASE("clean window: a block rewritten with a higher seq stays dirty", "[replication][clean]")
{
	CleanWindow w(1);
	w.record(1, {0, 8 * K});
	w.record(2, {2 * K, 3 * K}); // rewritten after the primary's read
	w.record(3, {6 * K, 7 * K});
	const auto p = w.plan({{0, 8 * K, 1}}, {});
	CHECK(p.ranges == std::vector<hps::ByteRange>{{0, 2 * K}, {3 * K, 6 * K}, {7 * K, 8 * K}});
	CHECK(p.kept_bytes == 2 * K);
	// Seq 2 is covered by a CLEAN of seq 2: only block 6 stays.
	CHECK(plan(w, {{0, 8 * K, 2}}) == std::vector<hps::ByteRange>{{0, 6 * K}, {7 * K, 8 * K}});
	// Discards and resync writes count like writes (the window records all).
}

TEST_CASE("clean window: entries of different seqs in one CLEAN are judged apart",
	  "[replication][clean]")
{
	CleanWindow w(10);
	w.record(10, {0, K});
	w.record(11, {K, 2 * K});
	w.record(12, {0, K});
	CHECK(plan(w, {{0, K, 11}, {K, K, 11}, {0, K, 12}}) ==
	      std::vector<hps::ByteRange>{{K, 2 * K}, {0, K}});
}

TEST_CASE("clean window: writes in flight and failed writes are left out", "[replication][clean]")
{
	CleanWindow w(1);
	w.record(1, {0, 8 * K});
	hps::RangeSet busy;
	busy.add({K, 2 * K});
	w.failed({4 * K, 5 * K});
	CHECK(plan(w, {{0, 8 * K, 1}}, busy) ==
	      std::vector<hps::ByteRange>{{0, K}, {2 * K, 4 * K}, {5 * K, 8 * K}});
}

TEST_CASE("clean window: past its capacity, a CLEAN older than what it knows is ignored",
	  "[replication][clean]")
{
	CleanWindow w(1, 4);
	for (std::uint64_t seq = 1; seq <= 6; seq++)
		w.record(seq, {seq * K, (seq + 1) * K});
	// Seqs 1 and 2 were dropped: the floor is 2.
	CHECK(w.floor() == 2);
	CHECK(w.size() == 4);
	const auto old = w.plan({{0, 16 * K, 1}}, {});
	CHECK(old.ranges.empty());
	CHECK(old.ignored_bytes == 16 * K);
	// A CLEAN of seq 2 is still judged: every write above it is known.
	CHECK(plan(w, {{0, 16 * K, 2}}) == std::vector<hps::ByteRange>{{0, 3 * K}, {7 * K, 16 * K}});
}

TEST_CASE("clean window: writes of an earlier connection are unknown", "[replication][clean]")
{
	// RESYNC_BEGIN at seq 100: a CLEAN of seq 50 could name a block that
	// seqs 51..99 (another applier) rewrote.
	CleanWindow w(100);
	CHECK(w.plan({{0, K, 50}}, {}).ranges.empty());
	CHECK(plan(w, {{0, K, 99}}) == std::vector<hps::ByteRange>{{0, K}});
}
