// SPDX-License-Identifier: GPL-2.0-only
// link_settings(): what a link takes from hpsd's config.
#include "replication/link_settings.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace hpsd::replication;
using namespace std::chrono_literals;

TEST_CASE("link settings: node, cluster id and timers from the config", "[replication]")
{
	auto config = hpsd::parse_config(R"({"node_name": "stor-1", "replication": {
		"cluster_id": "6f1c2a9e-03b4-4d5e-9a10-ff001234abcd",
		"peers": [{"node": "stor-2", "address": "10.0.0.2:7790"}],
		"keepalive_ms": 250, "peer_timeout_ms": 3000}})",
					 "host");
	REQUIRE(config);
	auto secret = ClusterSecret::from_bytes(std::vector<std::uint8_t>(32, 7));
	REQUIRE(secret);
	const auto shared = std::make_shared<const ClusterSecret>(std::move(secret).value());
	const LinkSettings s = link_settings(*config, shared, {});
	CHECK(s.node == "stor-1");
	CHECK(s.cluster == ClusterId{0x6f, 0x1c, 0x2a, 0x9e, 0x03, 0xb4, 0x4d, 0x5e, 0x9a, 0x10, 0xff,
				     0x00, 0x12, 0x34, 0xab, 0xcd});
	CHECK(s.secret == shared);
	CHECK(s.nonces != nullptr);
	CHECK(s.keepalive == 250ms);
	CHECK(s.peer_timeout == 3000ms);
	CHECK(s.handshake_timeout == 3000ms);
	CHECK(s.max_write_bytes == Limits{}.max_write_bytes);
}
