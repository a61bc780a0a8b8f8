// SPDX-License-Identifier: GPL-2.0-only
#include "util/range_set.hpp"
#include "hps-logreplay/replay.hpp"
#include "logreplay/log_writer.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace hps::logreplay;
using hps::logreplay::test::LogWriter;
using hps::logreplay::test::pattern;
using hps::logreplay::test::sample_log;
using hps::test::TempDir;

namespace {

std::vector<std::byte> read_bytes(const std::string& path)
{
	std::ifstream in(path, std::ios::binary);
	std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	std::vector<std::byte> v(s.size());
	std::transform(s.begin(), s.end(), v.begin(), [](char c) { return std::byte(c); });
	return v;
}

void write_bytes(const std::string& path, const std::vector<std::byte>& v)
{
	std::ofstream out(path, std::ios::binary | std::ios::trunc);
	out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size()));
}

struct Fixture {
	explicit Fixture(LogWriter writer) : w(std::move(writer)), bytes(w.bytes()), src(bytes)
	{
		auto r = read_log(src);
		REQUIRE(r);
		log = std::move(r).value();
	}
	ReplayStats run(const std::string& path, std::uint64_t from, std::uint64_t to, bool zero_first = false)
	{
		auto target = ReplayTarget::open(path, true);
		REQUIRE(target);
		auto stats = replay(src, log, *target, {from, to, zero_first});
		INFO((stats ? std::string() : stats.error()));
		REQUIRE(stats);
		return *stats;
	}
	VerifyReport check(const std::string& path, std::uint64_t to)
	{
		auto target = ReplayTarget::open(path, false);
		REQUIRE(target);
		auto report = verify(src, log, *target, to);
		REQUIRE(report);
		return *report;
	}
	LogWriter w;
	std::vector<std::byte> bytes;
	MemorySource src;
	LogIndex log;
};

} // namespace

TEST_CASE("logreplay replay: to every entry from an empty file")
{
	for (std::uint32_t ss : {512U, 4096U}) {
		INFO("sectorsize " << ss);
		Fixture f(sample_log(ss));
		TempDir dir;
		for (std::uint64_t i = 0; i < f.log.entries.size(); ++i) {
			INFO("to entry " << i);
			std::string dev = dir / ("dev" + std::to_string(i));
			write_bytes(dev, {});
			f.run(dev, 0, i);
			CHECK(read_bytes(dev) == f.w.image_after(i));
			// Replaying again gives the same result.
			f.run(dev, 0, i);
			CHECK(read_bytes(dev) == f.w.image_after(i));
			CHECK_FALSE(f.check(dev, i).mismatch_entry);
		}
	}
}

TEST_CASE("logreplay replay: point after point with --from")
{
	Fixture f(sample_log());
	TempDir dir;
	std::string dev = dir / "dev";
	write_bytes(dev, {});
	std::uint64_t done = 0;
	for (std::uint64_t to : {2, 3, 7, 8, 9, 12}) {
		f.run(dev, done, to);
		CHECK(read_bytes(dev) == f.w.image_after(to));
		done = to + 1;
	}
}

TEST_CASE("logreplay replay: counts what it did")
{
	Fixture f(sample_log());
	TempDir dir;
	std::string dev = dir / "dev";
	write_bytes(dev, {});
	auto stats = f.run(dev, 0, 12);
	CHECK(stats.entries == 13);
	CHECK(stats.writes == 6);
	CHECK(stats.bytes_written == (8 + 4 + 2 + 1 + 1 + 3) * 512);
	CHECK(stats.discards == 2);
	CHECK(stats.bytes_zeroed == (3 + 8) * 512);
}

TEST_CASE("logreplay replay: --from-start zeroes what the log touches first")
{
	Fixture f(sample_log());
	TempDir dir;
	std::string dev = dir / "dev";
	const std::size_t size = 120 * 512;
	std::vector<std::byte> junk(size, std::byte{0xaa});
	for (std::uint64_t to : {0, 3, 8, 12}) {
		INFO("to entry " << to);
		write_bytes(dev, junk);
		auto stats = f.run(dev, 0, to, true);
		auto got = read_bytes(dev);
		REQUIRE(got.size() == size);
		// Touched by some entry of the log (all of entries 0..12 together):
		// equal to the replay onto a zeroed device; elsewhere untouched.
		auto want = f.w.image_after(to);
		want.resize(size);
		hps::RangeSet touched;
		for (const auto& e : f.log.entries)
			touched.add({f.log.target_offset(e), f.log.target_offset(e) + f.log.target_length(e)});
		for (std::size_t b = 0; b < size; ++b) {
			bool in = touched.uncovered({b, b + 1}).empty();
			if (got[b] != (in ? want[b] : std::byte{0xaa})) {
				FAIL("byte " << b << (in ? " (touched)" : " (untouched)"));
			}
		}
		CHECK(stats.bytes_prezeroed > 0);
	}
}

TEST_CASE("logreplay replay: entries larger than the copy buffer")
{
	LogWriter w(4096);
	w.write(3, pattern(640 * 4096, 9)); // 2.5 MiB
	w.flush();
	w.write(100, pattern(4096, 10));
	Fixture f(std::move(w));
	TempDir dir;
	std::string dev = dir / "dev";
	write_bytes(dev, {});
	f.run(dev, 0, 2);
	CHECK(read_bytes(dev) == f.w.image_after(2));
	CHECK_FALSE(f.check(dev, 2).mismatch_entry);
}

TEST_CASE("logreplay verify: finds the entry whose bytes differ")
{
	Fixture f(sample_log());
	TempDir dir;
	std::string dev = dir / "dev";
	write_bytes(dev, {});
	f.run(dev, 0, 12);
	auto ok = f.check(dev, 12);
	CHECK_FALSE(ok.mismatch_entry);
	CHECK(ok.bytes_compared > 0);

	auto img = read_bytes(dev);
	// Byte 2 * 512 + 7 was last written by entry 4 (FUA over entry 0).
	auto bad = img;
	bad[2 * 512 + 7] ^= std::byte{1};
	write_bytes(dev, bad);
	auto r = f.check(dev, 12);
	REQUIRE(r.mismatch_entry);
	CHECK(*r.mismatch_entry == 4);
	CHECK(r.mismatch_offset == 2 * 512 + 7);
	// Byte 5 * 512 was zeroed by the discard, entry 6.
	bad = img;
	bad[5 * 512] = std::byte{1};
	write_bytes(dev, bad);
	r = f.check(dev, 12);
	REQUIRE(r.mismatch_entry);
	CHECK(*r.mismatch_entry == 6);
	// Two damaged places: the lower entry is reported.
	bad[1] ^= std::byte{0xff}; // entry 0's
	write_bytes(dev, bad);
	r = f.check(dev, 12);
	REQUIRE(r.mismatch_entry);
	CHECK(*r.mismatch_entry == 0);
	CHECK(r.mismatch_offset == 1);

	// The state at entry 3 is not the state at entry 12.
	write_bytes(dev, {});
	f.run(dev, 0, 3);
	r = f.check(dev, 12);
	REQUIRE(r.mismatch_entry);
	CHECK(*r.mismatch_entry == 4);
}

TEST_CASE("logreplay verify: a huge discard past a file's end costs nothing")
{
	LogWriter w;
	w.write(0, pattern(4096, 1));
	w.discard(1ULL << 40, 1ULL << 50); // 2^59 bytes, far past the file
	w.discard(4, 2);
	Fixture f(std::move(w));
	TempDir dir;
	std::string dev = dir / "dev";
	write_bytes(dev, {});
	f.run(dev, 0, 2);
	CHECK(read_bytes(dev) == f.w.image_after(2));
	auto r = f.check(dev, 2);
	CHECK_FALSE(r.mismatch_entry);
	CHECK(r.bytes_compared == 4096);
}
