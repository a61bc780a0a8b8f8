// SPDX-License-Identifier: GPL-2.0-only
#include "config/cluster_id.hpp"

#include <catch2/catch.hpp>

using hpsd::ClusterUuid;
using hpsd::cluster_id_text;
using hpsd::parse_cluster_id;

TEST_CASE("cluster id: a UUID in either case, 16 bytes in order", "[config]")
{
	const ClusterUuid expected{0x6f, 0x1c, 0x2a, 0x9e, 0x03, 0xb4, 0x4d, 0x5e,
				   0x9a, 0x10, 0xff, 0x00, 0x12, 0x34, 0xab, 0xcd};
	CHECK(*parse_cluster_id("6f1c2a9e-03b4-4d5e-9a10-ff001234abcd") == expected);
	CHECK(*parse_cluster_id("6F1C2A9E-03B4-4D5E-9A10-FF001234ABCD") == expected);
	CHECK(cluster_id_text(expected) == "6f1c2a9e-03b4-4d5e-9a10-ff001234abcd");
}

TEST_CASE("cluster id: anything else is refused", "[config]")
{
	for (const char* bad : {"", "prod", "6f1c2a9e03b44d5e9a10ff001234abcd",
				"6f1c2a9e-03b4-4d5e-9a10-ff001234abc", "6f1c2a9e-03b4-4d5e-9a10-ff001234abcde",
				"6f1c2a9e_03b4-4d5e-9a10-ff001234abcd", "6f1c2a9e-03b4-4d5e-9a10-ff001234abcg",
				"{6f1c2a9e-03b4-4d5e-9a10-ff001234ab}", " 6f1c2a9e-03b4-4d5e-9a10-ff001234abc"}) {
		INFO("value: " << bad);
		auto id = parse_cluster_id(bad);
		REQUIRE_FALSE(id);
		CHECK(id.error() == "is not a UUID (8-4-4-4-12 hex digits, as uuidgen prints)");
	}
	auto nil = parse_cluster_id("00000000-0000-0000-0000-000000000000");
	REQUIRE_FALSE(nil);
	CHECK(nil.error() == "is the nil UUID; choose one with uuidgen");
}
