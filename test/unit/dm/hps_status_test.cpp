// SPDX-License-Identifier: GPL-2.0-only
#include "dm/hps_status.hpp"

#include <catch2/catch.hpp>

using namespace hps::dm;

TEST_CASE("hps-pool status: all fields")
{
	auto s = parse_pool_status(
		"2 8 491520 3 ok 66376cf7-c30b-4a1e-a44c-3c8a4665a5b8 100 7 1966080");
	REQUIRE(s.ok());
	CHECK(s->abi_version == 2);
	CHECK(s->block_sectors == 8);
	CHECK(s->total_blocks == 491520);
	CHECK(s->nr_volumes == 3);
	CHECK(s->mode == "ok");
	CHECK(s->uuid == "66376cf7-c30b-4a1e-a44c-3c8a4665a5b8");
	CHECK(s->used_blocks == 100u);
	CHECK(s->dirty_blocks == 7u);
	CHECK(s->index_bytes == 1966080u);
}

TEST_CASE("hps-pool status: missing trailing fields are unknown, extra ones ignored")
{
	auto old = parse_pool_status("1 8 491520 0 ok");
	REQUIRE(old.ok());
	CHECK_FALSE(old->uuid);
	CHECK_FALSE(old->dirty_blocks);
	auto newer = parse_pool_status("3 8 10 0 degraded u 1 2 3 extra words");
	REQUIRE(newer.ok());
	CHECK(newer->mode == "degraded");
	CHECK(newer->index_bytes == 3u);
}

TEST_CASE("hps-pool status: bad leading fields name the field")
{
	auto bad = parse_pool_status("1 8 x 0 ok");
	REQUIRE_FALSE(bad.ok());
	CHECK(bad.error().find("total_blocks") != std::string::npos);
	CHECK(bad.error().find("\"x\"") != std::string::npos);
	CHECK_FALSE(parse_pool_status("1 8 10 0").ok());
	CHECK_FALSE(parse_pool_status("").ok());
	CHECK_FALSE(parse_pool_status("-1 8 10 0 ok").ok());
}

TEST_CASE("hps status: the first version's five fields")
{
	auto s = parse_volume_status("standalone writeback 7 120 33");
	REQUIRE(s.ok());
	CHECK(s->role == "standalone");
	CHECK(s->mode == "writeback");
	CHECK(s->volume_id == 7);
	CHECK(s->reads == 120u);
	CHECK(s->writes == 33u);
	CHECK_FALSE(s->dirty_blocks); // unknown, not 0
	CHECK_FALSE(s->cached_blocks);
}

TEST_CASE("hps status: the planned thirteen fields")
{
	auto s = parse_volume_status("primary writeback 4294967295 10 3 5 6 7 8 9 10 0 ok");
	REQUIRE(s.ok());
	CHECK(s->volume_id == 4294967295u);
	CHECK(s->cached_blocks == 10u);
	CHECK(s->dirty_blocks == 3u);
	CHECK(s->read_hits == 5u);
	CHECK(s->read_misses == 6u);
	CHECK(s->writes == 7u);
	CHECK(s->write_through == 8u);
	CHECK(s->flushes == 9u);
	CHECK(s->discards == 10u);
	CHECK(s->errors == 0u);
	CHECK(s->state == "ok");
	CHECK_FALSE(s->reads);
}

TEST_CASE("hps status: a partial line has the fields it has")
{
	auto s = parse_volume_status("secondary writethrough 2 10 4 1");
	REQUIRE(s.ok());
	CHECK(s->dirty_blocks == 4u);
	CHECK(s->read_hits == 1u);
	CHECK_FALSE(s->read_misses);
	CHECK_FALSE(s->state);
	auto extra = parse_volume_status("primary writeback 1 0 0 0 0 0 0 0 0 0 ok new field");
	REQUIRE(extra.ok());
	CHECK(extra->state == "ok");
}

TEST_CASE("hps status: errors")
{
	CHECK_FALSE(parse_volume_status("primary").ok());
	auto bad = parse_volume_status("primary writeback x 1 2");
	REQUIRE_FALSE(bad.ok());
	CHECK(bad.error().find("volume_id") != std::string::npos);
	CHECK_FALSE(parse_volume_status("primary writeback 4294967296 1 2").ok());
}
