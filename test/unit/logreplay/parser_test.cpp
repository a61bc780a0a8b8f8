// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/log_reader.hpp"
#include "logreplay/log_writer.hpp"

#include <catch2/catch.hpp>

using namespace hps::logreplay;
using hps::logreplay::test::LogWriter;
using hps::logreplay::test::pattern;
using hps::logreplay::test::sample_log;

TEST_CASE("logreplay parser: reads the super block and every entry")
{
	for (std::uint32_t ss : {512U, 4096U}) {
		INFO("sectorsize " << ss);
		LogWriter w = sample_log(ss);
		auto bytes = w.bytes();
		MemorySource src(bytes);
		auto log = read_log(src);
		INFO((log ? std::string() : log.error()));
		REQUIRE(log);
		CHECK(log->sectorsize == ss);
		CHECK(log->version == 1);
		REQUIRE(log->entries.size() == w.count());
		CHECK(log->used_bytes == bytes.size());
		for (std::size_t i = 0; i < w.count(); ++i) {
			const auto& want = w.entries()[i];
			const auto& got = log->entries[i];
			CHECK(got.index == i);
			CHECK(got.header.sector == want.sector);
			CHECK(got.header.nr_sectors == want.nr_sectors);
			CHECK(got.header.flags == want.flags);
			CHECK(got.header.data_len == want.data_len);
		}
		const auto& e0 = log->entries[0];
		CHECK(e0.log_offset == ss);
		CHECK(log->data_offset(e0) == 2 * ss);
		CHECK(log->target_length(e0) == 8 * ss);
		// Entry 1 follows entry 0's header and data.
		CHECK(log->entries[1].log_offset == ss + ss + 8 * ss);
		// A discard has no data in the log: the next entry is one sector on.
		CHECK(log->entries[7].log_offset == log->entries[6].log_offset + ss);
		CHECK(log->target_offset(log->entries[5]) == 100ULL * ss);

		CHECK(log->entries[2].flush());
		CHECK(log->entries[4].fua());
		CHECK(log->entries[6].discard());
		CHECK_FALSE(log->entries[6].writes());
		CHECK(log->entries[9].flush());
		CHECK(log->entries[9].fua());
		CHECK(log->entries[9].writes());
		CHECK(log->entries[3].is_mark());
		CHECK(log->entries[3].mark == "one");
		CHECK(log->entries[8].mark == "two");
		CHECK(log->entries[12].mark == "dm-log-writes-end");
		CHECK(log->entries[0].mark.empty());

		CHECK(find_mark(*log, "two") == std::optional<std::uint64_t>(8));
		CHECK_FALSE(find_mark(*log, "three"));
		CHECK_FALSE(find_mark(*log, "tw"));
	}
}

TEST_CASE("logreplay parser: an empty log and a log whose super counts fewer entries")
{
	LogWriter empty;
	auto e = empty.bytes();
	MemorySource es(e);
	auto log = read_log(es);
	REQUIRE(log);
	CHECK(log->entries.empty());
	CHECK(log->used_bytes == 512);

	// The kernel updates nr_entries only on FUA and marks: entries after it
	// (a crash before the next update) are not part of the log.
	LogWriter w = sample_log();
	auto bytes = w.bytes(5);
	MemorySource src(bytes);
	auto part = read_log(src);
	REQUIRE(part);
	CHECK(part->entries.size() == 5);
}

TEST_CASE("logreplay parser: the longest mark name fits the entry's sector")
{
	LogWriter w;
	std::string name(512 - 32, 'x');
	w.mark(name);
	auto bytes = w.bytes();
	MemorySource src(bytes);
	auto log = read_log(src);
	REQUIRE(log);
	CHECK(log->entries[0].mark == name);
}

TEST_CASE("logreplay parser: flags as text")
{
	CHECK(flags_text(0) == "-");
	CHECK(flags_text(flag_flush) == "FLUSH");
	CHECK(flags_text(flag_flush | flag_fua) == "FLUSH|FUA");
	CHECK(flags_text(flag_discard | flag_metadata) == "DISCARD|META");
	CHECK(flags_text(flag_mark | 0x40) == "MARK|0x40");
	CHECK(flags_text(0x100) == "0x100");
}

TEST_CASE("logreplay parser: decodes little-endian fields")
{
	std::array<std::byte, super_bytes> raw{};
	for (std::size_t i = 0; i < raw.size(); ++i)
		raw[i] = std::byte(i + 1);
	LogSuper s = decode_super(raw);
	CHECK(s.magic == 0x0807060504030201ULL);
	CHECK(s.version == 0x100f0e0d0c0b0a09ULL);
	CHECK(s.nr_entries == 0x1817161514131211ULL);
	CHECK(s.sectorsize == 0x1c1b1a19U);
}
