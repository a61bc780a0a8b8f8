// SPDX-License-Identifier: GPL-2.0-only
#include "volume/naming.hpp"
#include "volume/pool_layout.hpp"

#include <catch2/catch.hpp>

using namespace hps::volume;

TEST_CASE("volume names")
{
	for (const char* good : {"db1", "a", "A.b_c-9", "pool", "pool_1", "x-pool-1"})
		CHECK(check_volume_name(good).ok());
	CHECK(check_volume_name(std::string(63, 'v')).ok());
	struct Bad {
		std::string name;
		const char* says;
	};
	const Bad bad[] = {{"", "1..63"},
			   {std::string(64, 'v'), "1..63"},
			   {"a/b", "may only contain"},
			   {"a b", "may only contain"},
			   {"é", "may only contain"},
			   {".", "not allowed"},
			   {"..", "not allowed"},
			   {"pool-1", "pool-"}};
	for (const auto& b : bad) {
		auto r = check_volume_name(b.name);
		INFO(b.name);
		REQUIRE_FALSE(r.ok());
		CHECK(r.error().find(b.says) != std::string::npos);
	}
	CHECK(volume_device_name("db1") == "hps-db1");
}

TEST_CASE("volume sizes")
{
	CHECK(*parse_size("4096") == 4096);
	CHECK(*parse_size("64K") == 65536);
	CHECK(*parse_size("512M") == 512ULL << 20);
	CHECK(*parse_size("10G") == 10ULL << 30);
	CHECK(*parse_size("10g") == 10ULL << 30);
	CHECK(*parse_size("10GiB") == 10ULL << 30);
	CHECK(*parse_size("10GB") == 10ULL << 30);
	CHECK(*parse_size("1T") == 1ULL << 40);
	CHECK(*parse_size("65535G") == max_size_bytes);
	struct Bad {
		const char* text;
		const char* says;
	};
	const Bad bad[] = {{"", "is not a size"},
			   {"G", "is not a size"},
			   {"-1G", "is not a size"},
			   {"10X", "unknown unit"},
			   {"10 G", "unknown unit"},
			   {"1.5G", "unknown unit"},
			   {"1000", "multiple of 4096"},
			   {"0", "must not be 0"},
			   {"65536G", "65535 GiB"},
			   {"64T", "65535 GiB"},
			   {"99999999999999999999", "too large"},
			   {"99999999999T", "too large"}};
	for (const auto& b : bad) {
		auto r = parse_size(b.text);
		INFO(b.text);
		REQUIRE_FALSE(r.ok());
		CHECK(r.error().find(std::string("\"") + b.text + "\"") != std::string::npos);
		CHECK(r.error().find(b.says) != std::string::npos);
	}
	CHECK(check_size(4096).ok());
	CHECK_FALSE(check_size(4097).ok());
	CHECK(format_size(10ULL << 30) == "10 GiB");
	CHECK(format_size(4096) == "4 KiB");
	CHECK(format_size(4097) == "4097 B");
}

TEST_CASE("pool layout: whole disks or partitions, ids in config order")
{
	auto whole = pool_layout({"/dev/nvme0n1", "/dev/sdb"}, 1);
	REQUIRE(whole.size() == 2);
	CHECK(whole[0].id == 0);
	CHECK(whole[0].device == "/dev/nvme0n1");
	CHECK(whole[0].dm_name == "hps-pool-0");
	CHECK(whole[1].id == 1);
	CHECK(whole[1].device == "/dev/sdb");

	auto parts = pool_layout({"/dev/nvme0n1", "/dev/sdb"}, 2);
	REQUIRE(parts.size() == 4);
	CHECK(parts[0].device == "/dev/nvme0n1p1");
	CHECK(parts[1].device == "/dev/nvme0n1p2");
	CHECK(parts[2].device == "/dev/sdb1");
	CHECK(parts[3].id == 3);
	CHECK(parts[3].device == "/dev/sdb2");
	CHECK(parts[3].dm_name == "hps-pool-3");
	CHECK(pool_layout({}, 4).empty());
}
