// SPDX-License-Identifier: GPL-2.0-only
#include "config/listen_address.hpp"

#include <catch2/catch.hpp>

using hpsd::ListenAddress;
using hpsd::parse_listen_address;

TEST_CASE("listen address: accepts IPv4, host names and bracketed IPv6", "[config]")
{
	CHECK(*parse_listen_address("0.0.0.0:7790") == ListenAddress{"0.0.0.0", 7790});
	CHECK(*parse_listen_address("node-1.lab:1") == ListenAddress{"node-1.lab", 1});
	CHECK(*parse_listen_address("[::]:65535") == ListenAddress{"::", 65535});
	CHECK(*parse_listen_address("[fe80::1]:7790") == ListenAddress{"fe80::1", 7790});
}

TEST_CASE("listen address: prints IPv6 hosts in brackets", "[config]")
{
	CHECK(to_string(ListenAddress{"10.0.0.1", 7790}) == "10.0.0.1:7790");
	CHECK(to_string(ListenAddress{"::1", 7790}) == "[::1]:7790");
}

TEST_CASE("listen address: rejects malformed values", "[config]")
{
	for (const char* bad : {"", "7790", "host", "host:", ":7790", "host:0", "host:65536",
				"host:77x", "host:-1", "::1:7790", "[::1]7790", "[::1]:", "[]:7790",
				"[zz]:7790", "ho st:7790", "[::1:7790"}) {
		INFO("value: " << bad);
		CHECK_FALSE(parse_listen_address(bad).ok());
	}
}
