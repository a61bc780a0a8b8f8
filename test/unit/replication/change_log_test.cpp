// SPDX-License-Identifier: GPL-2.0-only
// The primary's log of blocks changed while the peer was away: marking
// rounds out to whole blocks, take() hands runs out in volume order from a
// cursor, and the bitmap stays bounded for huge volumes.
#include "replication/change_log.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

using hpsd::replication::ChangeLog;
using Run = ChangeLog::Run;
using Catch::Matchers::Contains;

namespace {

constexpr std::uint64_t kib = 1024;
constexpr std::uint64_t mib = 1024 * kib;
constexpr std::uint64_t gib = 1024 * mib;
constexpr std::uint64_t tib = 1024 * gib;
constexpr std::uint64_t blk = 4 * kib;

ChangeLog made(std::uint64_t volume_bytes, std::uint64_t block_bytes = blk,
	       std::size_t max_bitmap_bytes = ChangeLog::default_max_bitmap_bytes)
{
	auto log = ChangeLog::create(volume_bytes, block_bytes, max_bitmap_bytes);
	REQUIRE(log);
	return std::move(log).value();
}

// Block runs (in blocks of `blk`) for compact expectations.
Run blocks(std::uint64_t first, std::uint64_t n)
{
	return Run{first * blk, n * blk};
}

std::vector<Run> drain(ChangeLog& log, std::uint64_t max_bytes)
{
	std::vector<Run> runs;
	while (auto run = log.take(max_bytes))
		runs.push_back(*run);
	return runs;
}

} // namespace

TEST_CASE("change log: a partial write marks exactly its whole block", "[replication][changelog]")
{
	auto log = made(1 * gib);
	CHECK(log.empty());
	CHECK(log.granularity() == blk);

	log.mark(blk * 3 + 1, 10);
	CHECK(log.count() == 1);
	CHECK(log.bytes() == blk);
	CHECK(drain(log, 1 * mib) == std::vector<Run>{blocks(3, 1)});
	CHECK(log.empty());
}

TEST_CASE("change log: a write across block boundaries marks every block it touches",
	  "[replication][changelog]")
{
	auto log = made(1 * gib);
	log.mark(blk - 1, 2); // last byte of block 0, first of block 1
	CHECK(log.count() == 2);
	log.mark(10 * blk, blk); // exactly block 10
	CHECK(log.count() == 3);
	log.mark(10 * blk + 512, 512); // inside block 10 again: nothing new
	CHECK(log.count() == 3);
	log.mark(62 * blk, 70 * blk); // blocks 62..131, across two word boundaries
	CHECK(log.count() == 73);
	CHECK(log.bytes() == 73 * blk);
	CHECK(drain(log, 1 * gib) ==
	      std::vector<Run>{blocks(0, 2), blocks(10, 1), blocks(62, 70)});
}

TEST_CASE("change log: take returns runs of at most max bytes, in order",
	  "[replication][changelog]")
{
	auto log = made(1 * gib);
	for (std::uint64_t b : {1, 2, 3, 7})
		log.mark(b * blk, blk);
	CHECK(log.count() == 4);

	CHECK(log.take(2 * blk) == blocks(1, 2));
	CHECK(log.count() == 2);
	CHECK(log.take(2 * blk) == blocks(3, 1));
	CHECK(log.take(2 * blk) == blocks(7, 1));
	CHECK(log.take(2 * blk) == std::nullopt);
	CHECK(log.empty());
	CHECK(log.bytes() == 0);
}

TEST_CASE("change log: take rounds max bytes down but takes at least one block",
	  "[replication][changelog]")
{
	auto log = made(1 * gib);
	log.mark(0, 8 * blk);
	CHECK(log.take(3 * blk - 1) == blocks(0, 2));
	CHECK(log.take(0) == blocks(2, 1));
	CHECK(log.take(1) == blocks(3, 1));
	CHECK(log.take(std::numeric_limits<std::uint64_t>::max()) == blocks(4, 4));
	CHECK(log.empty());
}

TEST_CASE("change log: a block marked again after it was taken is taken again",
	  "[replication][changelog]")
{
	auto log = made(1 * gib);
	log.mark(2 * blk, blk);
	log.mark(5 * blk, blk);
	CHECK(log.take(blk) == blocks(2, 1));
	// A write to block 2 while its resync data is on the way.
	log.mark(2 * blk + 100, 1);
	CHECK(log.count() == 2);
	// The cursor goes on to block 5 first, then wraps round to block 2.
	CHECK(log.take(blk) == blocks(5, 1));
	CHECK(log.take(blk) == blocks(2, 1));
	CHECK(log.take(blk) == std::nullopt);
}

TEST_CASE("change log: the cursor sweeps on, so a hot block does not starve the rest",
	  "[replication][changelog]")
{
	auto log = made(1 * gib);
	log.mark(0, 4 * blk);
	log.mark(100 * blk, blk);
	CHECK(log.take(blk) == blocks(0, 1));
	log.mark(0, 1); // block 0 is rewritten after every take
	CHECK(log.take(blk) == blocks(1, 1));
	log.mark(0, 1);
	CHECK(log.take(blk) == blocks(2, 1));
	log.mark(0, 1);
	CHECK(log.take(blk) == blocks(3, 1));
	log.mark(0, 1);
	CHECK(log.take(blk) == blocks(100, 1));
	CHECK(log.take(blk) == blocks(0, 1));
	CHECK(log.empty());
}

TEST_CASE("change log: a run ends at the end of the volume, it does not wrap into block 0",
	  "[replication][changelog]")
{
	auto log = made(16 * blk);
	log.mark(0, blk);
	log.mark(14 * blk, 2 * blk);
	CHECK(log.take(blk) == blocks(0, 1));
	log.mark(0, blk);
	CHECK(log.take(1 * gib) == blocks(14, 2));
	CHECK(log.take(1 * gib) == blocks(0, 1));
}

TEST_CASE("change log: mark_all covers a partial last block and take clips it",
	  "[replication][changelog]")
{
	const std::uint64_t volume = 100 * blk + 1000;
	auto log = made(volume);
	log.mark_all();
	CHECK(log.count() == 101);
	CHECK(log.bytes() == volume);
	CHECK(log.take(64 * blk) == blocks(0, 64));
	CHECK(log.take(64 * blk) == Run{64 * blk, 36 * blk + 1000});
	CHECK(log.take(64 * blk) == std::nullopt);

	// The tail alone, and bytes() with the tail marked and not.
	log.mark(volume - 1, 1);
	CHECK(log.bytes() == 1000);
	log.mark(0, 1);
	CHECK(log.bytes() == 1000 + blk);
	CHECK(log.take(1 * gib) == blocks(0, 1));
	CHECK(log.take(1 * gib) == Run{100 * blk, 1000});
}

TEST_CASE("change log: mark_all twice and marks under it count once",
	  "[replication][changelog]")
{
	auto log = made(200 * blk);
	log.mark(3 * blk, blk);
	log.mark_all();
	log.mark_all();
	log.mark(0, 200 * blk);
	CHECK(log.count() == 200);
	CHECK(drain(log, 1 * gib) == std::vector<Run>{blocks(0, 200)});
}

TEST_CASE("change log: ranges past the end are clipped, length 0 is a no-op",
	  "[replication][changelog]")
{
	const std::uint64_t volume = 10 * blk;
	const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
	auto log = made(volume);

	log.mark(5 * blk, 0);
	log.mark(volume, blk);
	log.mark(volume + 12345, max);
	log.mark(max, max);
	CHECK(log.empty());

	log.mark(9 * blk, max); // offset + length wraps
	CHECK(log.count() == 1);
	log.mark(8 * blk + 1, 100 * blk);
	CHECK(log.count() == 2);
	CHECK(drain(log, 1 * gib) == std::vector<Run>{blocks(8, 2)});

	log.mark(0, max);
	CHECK(log.count() == 10);
	CHECK(log.bytes() == volume);
}

TEST_CASE("change log: an empty volume holds nothing", "[replication][changelog]")
{
	auto log = made(0);
	log.mark(0, blk);
	log.mark_all();
	CHECK(log.empty());
	CHECK(log.bytes() == 0);
	CHECK(log.take(blk) == std::nullopt);
	CHECK(log.memory_bytes() == 0);
}

TEST_CASE("change log: a volume of one partial block", "[replication][changelog]")
{
	auto log = made(1000);
	log.mark(999, 5);
	CHECK(log.count() == 1);
	CHECK(log.bytes() == 1000);
	CHECK(log.take(blk) == Run{0, 1000});
}

TEST_CASE("change log: runs across many words", "[replication][changelog]")
{
	auto log = made(1 * gib); // 262144 blocks, 4096 words
	// Every other block from 1000 to 3000, and all of 100000..199999.
	for (std::uint64_t b = 1000; b < 3000; b += 2)
		log.mark(b * blk, 1);
	log.mark(100000 * blk, 100000 * blk);
	CHECK(log.count() == 1000 + 100000);

	auto runs = drain(log, 64 * mib); // 16384 blocks
	REQUIRE(runs.size() == 1000 + 7);
	for (std::uint64_t i = 0; i < 1000; ++i)
		CHECK(runs[i] == blocks(1000 + 2 * i, 1));
	for (std::uint64_t i = 0; i < 6; ++i)
		CHECK(runs[1000 + i] == blocks(100000 + 16384 * i, 16384));
	CHECK(runs.back() == blocks(100000 + 16384 * 6, 100000 - 16384 * 6));
	CHECK(log.empty());
}

TEST_CASE("change log: a 64 TiB volume is tracked coarsely in at most 32 MiB",
	  "[replication][changelog]")
{
	const std::uint64_t volume = 64 * tib;
	auto log = made(volume);
	CHECK(log.granularity() == 256 * kib);
	CHECK(log.memory_bytes() <= ChangeLog::default_max_bitmap_bytes);
	CHECK(log.memory_bytes() == 32 * mib);

	// A 4 KiB write marks its whole 256 KiB granule, aligned.
	log.mark(5 * blk, 10);
	log.mark(volume - 1, 1);
	log.mark(3 * tib + 300 * kib, 1 * mib); // granules 12 * 2^20 + 1 .. + 5
	CHECK(log.count() == 1 + 1 + 5);
	CHECK(log.bytes() == 7 * 256 * kib);
	CHECK(log.take(1 * mib) == Run{0, 256 * kib});
	CHECK(log.take(1 * mib) == Run{3 * tib + 256 * kib, 1 * mib});
	CHECK(log.take(1 * mib) == Run{3 * tib + 1280 * kib, 256 * kib});
	CHECK(log.take(1 * mib) == Run{volume - 256 * kib, 256 * kib});
	CHECK(log.take(1 * mib) == std::nullopt);

	log.mark_all();
	CHECK(log.count() == 256 * mib);
	CHECK(log.bytes() == volume);
	CHECK(log.take(1 * gib) == Run{0, 1 * gib});
}

TEST_CASE("change log: the largest volume (65535 GiB) at 4 KiB blocks fits the limit",
	  "[replication][changelog]")
{
	const std::uint64_t volume = 65535 * gib;
	auto log = made(volume);
	CHECK(log.granularity() == 256 * kib);
	CHECK(log.memory_bytes() <= ChangeLog::default_max_bitmap_bytes);
	log.mark_all();
	CHECK(log.bytes() == volume);
}

TEST_CASE("change log: a small bitmap limit coarsens the granularity, clipping still holds",
	  "[replication][changelog]")
{
	// 1 MiB + 1000 bytes at 4 KiB would be 257 bits; 16 bytes hold 128,
	// so the log tracks 16 KiB (65 bits, 2 words).
	const std::uint64_t volume = 1 * mib + 1000;
	auto log = made(volume, blk, 16);
	CHECK(log.granularity() == 16 * kib);
	CHECK(log.memory_bytes() == 16);

	log.mark(20 * kib, 1); // granule 1
	CHECK(log.take(blk) == Run{16 * kib, 16 * kib}); // at least one granule
	log.mark(volume - 10, 10); // the partial last granule
	CHECK(log.take(1 * gib) == Run{1 * mib, 1000});

	// Exactly at the limit the block size is kept.
	auto exact = made(128 * blk, blk, 16);
	CHECK(exact.granularity() == blk);
	auto over = made(128 * blk + 1, blk, 16);
	CHECK(over.granularity() == 2 * blk);
}

TEST_CASE("change log: huge volumes near 2^64 bytes neither overflow nor allocate much",
	  "[replication][changelog]")
{
	const std::uint64_t volume = std::numeric_limits<std::uint64_t>::max();
	auto log = made(volume, 512, 8);
	CHECK(log.memory_bytes() == 8);
	CHECK(log.granularity() == std::uint64_t{1} << 58); // 64 bits
	log.mark(volume - 1, 1);
	CHECK(log.count() == 1);
	CHECK(log.bytes() == volume - 63 * (std::uint64_t{1} << 58));
	CHECK(log.take(1) == Run{63 * (std::uint64_t{1} << 58), volume - 63 * (std::uint64_t{1} << 58)});
	log.mark_all();
	CHECK(log.bytes() == volume);
}

TEST_CASE("change log: bad block sizes and bitmap limits are refused",
	  "[replication][changelog]")
{
	for (std::uint64_t bad : {0ULL, 256ULL, 511ULL, 1000ULL, 4097ULL, 3ULL * 4096}) {
		auto log = ChangeLog::create(1 * gib, bad);
		REQUIRE_FALSE(log);
		CHECK_THAT(log.error(), Contains("block size " + std::to_string(bad)));
	}
	auto small = ChangeLog::create(1 * gib, blk, 7);
	REQUIRE_FALSE(small);
	CHECK_THAT(small.error(), Contains("bitmap limit 7"));
	CHECK(ChangeLog::create(1 * gib, 512));
	CHECK(ChangeLog::create(1 * gib, 1 * mib));
}
