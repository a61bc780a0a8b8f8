// SPDX-License-Identifier: GPL-2.0-only
// Hostile and damaged logs: a clear one-line error, never a crash or an
// allocation the log's own bytes do not back.
#include "hps-logreplay/log_reader.hpp"
#include "logreplay/log_writer.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace hps::logreplay;
using hps::logreplay::test::DISCARD;
using hps::logreplay::test::LogWriter;
using hps::logreplay::test::MARK;
using hps::logreplay::test::pattern;
using hps::logreplay::test::sample_log;

namespace {

std::string error_of(const std::vector<std::byte>& bytes)
{
	MemorySource src(bytes);
	auto log = read_log(src);
	REQUIRE_FALSE(log);
	CHECK(log.error().find('\n') == std::string::npos);
	return log.error();
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

void put64(std::vector<std::byte>& v, std::size_t at, std::uint64_t x)
{
	for (int i = 0; i < 8; ++i)
		v[at + i] = std::byte((x >> (8 * i)) & 0xff);
}

} // namespace

TEST_CASE("logreplay corrupt: bad super blocks")
{
	auto good = sample_log().bytes();

	CHECK(contains(error_of({}), "smaller than its super block"));
	CHECK(contains(error_of(std::vector<std::byte>(good.begin(), good.begin() + 100)),
		       "smaller than its super block"));

	auto bad = good;
	bad[0] = std::byte{0x99};
	CHECK(contains(error_of(bad), "bad magic"));
	CHECK(contains(error_of(std::vector<std::byte>(4096)), "bad magic 0x0"));

	bad = good;
	put64(bad, 8, 2);
	CHECK(contains(error_of(bad), "unsupported log version 2"));

	for (std::uint32_t ss : {0U, 256U, 1000U, 131072U, 0xffffffffU}) {
		bad = good;
		for (int i = 0; i < 4; ++i)
			bad[24 + i] = std::byte((ss >> (8 * i)) & 0xff);
		CHECK(contains(error_of(bad), "bad sectorsize " + std::to_string(ss)));
	}

	// A 4096-byte sector size in a log of 2048 bytes.
	LogWriter w(4096);
	auto small = w.bytes();
	small.resize(2048);
	CHECK(contains(error_of(small), "larger than the log"));
}

TEST_CASE("logreplay corrupt: truncated logs")
{
	auto good = sample_log().bytes();
	// Cut inside entry 0's data.
	auto cut = std::vector<std::byte>(good.begin(), good.begin() + 512 + 512 + 1000);
	auto e = error_of(cut);
	CHECK(contains(e, "entry 0 at log byte 512"));
	CHECK(contains(e, "run past the end of the log"));
	// Cut before an entry header.
	cut.assign(good.begin(), good.begin() + 512 + 512 + 8 * 512);
	CHECK(contains(error_of(cut), "entry 1 at log byte 5120: past the end of the log"));
	// Cut inside an entry header's sector.
	cut.assign(good.begin(), good.begin() + 512 + 512 + 8 * 512 + 100);
	CHECK(contains(error_of(cut), "entry 1 at log byte 5120: past the end"));
}

TEST_CASE("logreplay corrupt: every truncation of a log is an error and never a crash")
{
	auto good = sample_log().bytes();
	for (std::size_t n = 0; n < good.size(); n += 37) {
		std::vector<std::byte> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
		MemorySource src(cut);
		CHECK_FALSE(read_log(src));
	}
}

TEST_CASE("logreplay corrupt: huge data_len")
{
	for (std::uint64_t len : {std::uint64_t(481), std::uint64_t(4096), std::numeric_limits<std::uint64_t>::max()}) {
		LogWriter w;
		w.mark("m");
		w.entries()[0].data_len = len;
		auto e = error_of(w.bytes());
		CHECK(contains(e, "entry 0"));
		CHECK(contains(e, "data_len " + std::to_string(len) + " does not fit"));
	}
	// On a write too.
	LogWriter w;
	w.write(0, pattern(512, 1));
	w.entries()[0].data_len = 100000;
	CHECK(contains(error_of(w.bytes()), "data_len 100000"));
}

TEST_CASE("logreplay corrupt: nr_entries beyond the device")
{
	LogWriter w = sample_log();
	auto e = error_of(w.bytes(w.count() + 1));
	CHECK(contains(e, "entry 13"));
	CHECK(contains(e, "past the end of the log"));
	CHECK(contains(e, "says 14 entries"));
	// A count no log could hold: rejected at the first missing entry,
	// nothing allocated for the count.
	e = error_of(w.bytes(std::numeric_limits<std::uint64_t>::max()));
	CHECK(contains(e, "entry 13"));

	// The count runs into zeroed space (a log device larger than its log).
	auto padded = w.bytes(w.count() + 1);
	padded.resize(padded.size() + 4096);
	CHECK(contains(error_of(padded), "entry 13 at log byte"));
	CHECK(contains(error_of(padded), "empty entry"));
}

TEST_CASE("logreplay corrupt: absurd lengths and sectors")
{
	std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
	// A write claiming more data than the log holds.
	LogWriter w;
	w.write(0, pattern(512, 1));
	w.entries()[0].nr_sectors = 1ULL << 40;
	CHECK(contains(error_of(w.bytes()), "run past the end of the log"));
	w.entries()[0].nr_sectors = max;
	CHECK(contains(error_of(w.bytes()), "absurd length"));
	// A discard has no data in the log, but must still name a real range.
	LogWriter d;
	d.discard(0, max / 512 + 1);
	CHECK(contains(error_of(d.bytes()), "absurd length"));
	d.entries()[0].nr_sectors = 8;
	d.entries()[0].sector = max / 512;
	CHECK(contains(error_of(d.bytes()), "absurd length"));
	d.entries()[0].sector = (1ULL << 63) / 512 - 8; // ends exactly at 2^63: past off_t
	CHECK(contains(error_of(d.bytes()), "absurd length"));
	d.entries()[0].sector = (1ULL << 63) / 512 - 9;
	auto bytes = d.bytes();
	MemorySource src(bytes);
	CHECK(read_log(src));
}

TEST_CASE("logreplay corrupt: random damage never crashes the parser")
{
	auto good = sample_log().bytes();
	std::uint32_t x = 12345;
	auto next = [&x] {
		x = x * 1103515245U + 12345U;
		return x >> 8;
	};
	for (int round = 0; round < 2000; ++round) {
		auto bad = good;
		int flips = 1 + static_cast<int>(next() % 4);
		for (int i = 0; i < flips; ++i) {
			// Mostly in the headers, where damage matters.
			std::size_t at = (next() % 2) ? next() % 64 : next() % bad.size();
			bad[at] = std::byte(next() & 0xff);
		}
		MemorySource src(bad);
		auto log = read_log(src);
		if (log) {
			for (const auto& e : log->entries) {
				CHECK(e.log_offset + log->sectorsize <= bad.size());
				if (e.writes())
					CHECK(log->data_offset(e) + log->target_length(e) <= bad.size());
				CHECK(e.mark.size() <= log->sectorsize - entry_header_bytes);
			}
		} else {
			CHECK(log.error().find('\n') == std::string::npos);
		}
	}
}
