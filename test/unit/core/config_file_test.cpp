// SPDX-License-Identifier: GPL-2.0-only
// load_config_file(): with replication peers listed, the secret file is
// checked along with the config, its errors named like the config's.
#include "core/config_file.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

namespace {

// A config listing one peer, its secret file in `dir` with `mode`.
std::string config_with_secret(const hps::test::TempDir& dir, mode_t mode, bool peers = true)
{
	const std::string secret = dir / "cluster.secret";
	hps::test::write_file(secret, std::string(32, 'k'));
	REQUIRE(::chmod(secret.c_str(), mode) == 0);
	const std::string config = dir / "hpsd.json";
	hps::test::write_file(config, R"({"replication": {"cluster_id": "6f1c2a9e-03b4-4d5e-9a10-ff001234abcd",
		"secret_file": ")" + secret + R"(", "peers": )" +
					      (peers ? R"([{"node": "stor-2", "address": "10.0.0.2:7790"}])" : "[]") +
					      "}}");
	return config;
}

} // namespace

TEST_CASE("config file: a private secret file passes", "[config]")
{
	hps::test::TempDir dir;
	auto config = hpsd::load_config_file(config_with_secret(dir, 0600), "stor-1");
	REQUIRE(config);
	CHECK(config->replication.peers.size() == 1);
}

TEST_CASE("config file: a secret file others can read is refused, naming path and mode", "[config]")
{
	hps::test::TempDir dir;
	const std::string path = config_with_secret(dir, 0644);
	auto config = hpsd::load_config_file(path, "stor-1");
	REQUIRE_FALSE(config);
	REQUIRE(config.error().size() == 1);
	CHECK(config.error()[0] == "config " + path + R"(: field "replication.secret_file": secret file )" +
					   (dir / "cluster.secret") +
					   " has mode 0644: group and others must have no access (chmod 600 it)");
}

TEST_CASE("config file: without peers the secret file is not read", "[config]")
{
	hps::test::TempDir dir;
	CHECK(hpsd::load_config_file(config_with_secret(dir, 0644, false), "stor-1"));
}
