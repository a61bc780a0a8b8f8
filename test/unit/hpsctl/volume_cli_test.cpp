// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/cli.hpp"
#include "hpsctl/help.hpp"
#include "hpsctl/render_volume.hpp"

#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

namespace {

hps::Result<hpsctl::Command, std::string> parse(std::vector<std::string_view> args)
{
	return hpsctl::parse_cli(args, {});
}

} // namespace

TEST_CASE("hpsctl volume create: options before or after, = or space", "[hpsctl]")
{
	for (auto args : {std::vector<std::string_view>{"volume", "create", "db1", "--size", "10G"},
			  std::vector<std::string_view>{"--size=10G", "volume", "create", "db1"},
			  std::vector<std::string_view>{"volume", "create", "--size", "10G", "db1"}}) {
		auto c = parse(args);
		REQUIRE(c.ok());
		const auto& run = std::get<hpsctl::RunCommand>(c->action);
		CHECK(run.id == hpsctl::CommandId::volume_create);
		CHECK(run.operands == std::vector<std::string>{"db1"});
		CHECK(run.options.at("--size") == "10G");
	}
	auto with_pool = parse({"volume", "create", "db1", "--size", "1G", "--pool", "2"});
	REQUIRE(with_pool.ok());
	CHECK(std::get<hpsctl::RunCommand>(with_pool->action).options.at("--pool") == "2");
}

TEST_CASE("hpsctl volume: one-line errors for bad command lines", "[hpsctl]")
{
	CHECK(parse({"volume", "create", "--size", "1G"}).error() ==
	      "\"volume create\" needs NAME (try 'hpsctl volume create --help')");
	CHECK(parse({"volume", "create", "a", "b", "--size", "1G"}).error() ==
	      "unexpected argument \"b\" after \"volume create\"");
	CHECK(parse({"volume", "create", "a", "--size"}).error() == "--size needs a value (SIZE)");
	CHECK(parse({"volume", "list", "--force"}).error() ==
	      "--force is not an option of \"volume list\" (try 'hpsctl volume list --help')");
	CHECK(parse({"volume", "delete", "a", "--force=yes"}).error() == "--force takes no value");
	CHECK(parse({"volume", "delete", "a", "--force", "--force"}).error() ==
	      "--force is given twice");
	CHECK(parse({"pool", "show"}).error() ==
	      "\"pool show\" needs ID (try 'hpsctl pool show --help')");
	auto del = parse({"volume", "delete", "a", "--force", "--delete-image"});
	REQUIRE(del.ok());
	CHECK(std::get<hpsctl::RunCommand>(del->action).options.size() == 2);
}

TEST_CASE("hpsctl volume create --help lists its options", "[hpsctl]")
{
	auto c = parse({"volume", "create", "--help"});
	REQUIRE(c.ok());
	const auto& text = std::get<hpsctl::ShowHelp>(c->action).text;
	CHECK(text.find("--size SIZE") != std::string::npos);
	CHECK(text.find("--pool ID") != std::string::npos);
	auto d = parse({"volume", "delete", "--help"});
	REQUIRE(d.ok());
	CHECK(std::get<hpsctl::ShowHelp>(d->action).text.find("--delete-image") != std::string::npos);
}

TEST_CASE("hpsctl volume tables", "[hpsctl]")
{
	CHECK(hpsctl::human_size(10ULL << 30) == "10 GiB");
	CHECK(hpsctl::human_size(1536ULL << 20) == "1.5 GiB");
	CHECK(hpsctl::human_size(100) == "100 B");
	auto created = nlohmann::json::parse(
		R"({"created":true,"image_created":true,"volume":{"name":"db1","id":1,"pool_id":0,
		"size_bytes":67108864,"image":"db1","device":"/dev/mapper/hps-db1"}})");
	CHECK(hpsctl::render_volume_created(created) ==
	      "created volume db1: id 1, pool 0, 64 MiB, /dev/mapper/hps-db1 (new RBD image db1)\n");
	CHECK(hpsctl::render_volume_list(nlohmann::json::parse(R"({"volumes":[]})")) ==
	      "no volumes\n");
	auto list = hpsctl::render_volume_list(nlohmann::json::parse(
		R"({"volumes":[{"name":"db1","id":1,"pool_id":0,"size_bytes":4096,"device":"/d",
		"present":false,"error":"device hps-db1 is missing","status":null}]})"));
	CHECK(list.find("missing") != std::string::npos);
	CHECK(list.find("volume db1: device hps-db1 is missing") != std::string::npos);
	// Tolerant of an unexpected shape.
	CHECK_NOTHROW(hpsctl::render_pool_list(nlohmann::json::parse(R"({"pools":[1,"x"]})")));
	CHECK_NOTHROW(hpsctl::render_volume(nlohmann::json::parse("[]")));
}

TEST_CASE("hpsctl volume show: the ownership lease row", "[hpsctl]")
{
	auto volume = [](const char* lease) {
		return nlohmann::json::parse(std::string(R"({"name":"db1","role":"primary","peer":"stor-2",
			"present":true,"replica":{"node":"stor-2","state":"degraded",
			"degraded_since":"2026-12-06T04:00:00Z","changed_bytes":0,"lease":)") +
					     lease + "}}");
	};
	auto held = hpsctl::render_volume(volume(
		R"({"state":"held","lease_ms":10000,"confirmed_ms_ago":1234,"last_error":null})"));
	CHECK(held.find("held (confirmed 1.2 s ago)") != std::string::npos);
	auto lapsed = hpsctl::render_volume(volume(
		R"({"state":"lapsed","lease_ms":10000,"confirmed_ms_ago":14000,"last_error":"Ceph: timed out"})"));
	CHECK(lapsed.find("LAPSED: not serving (last confirmed 14.0 s ago: Ceph: timed out)") !=
	      std::string::npos);
	auto fenced = hpsctl::render_volume(volume(
		R"({"state":"fenced","lease_ms":10000,"confirmed_ms_ago":null,"last_error":"RBD image rbd/db1 is held by stor-2"})"));
	CHECK(fenced.find("FENCED: this copy serves nothing: RBD image rbd/db1 is held by stor-2") !=
	      std::string::npos);
	auto never = hpsctl::render_volume(volume(
		R"({"state":"lapsed","lease_ms":10000,"confirmed_ms_ago":null,"last_error":null})"));
	CHECK(never.find("last confirmed never") != std::string::npos);
	// An hpsd without the lease: no row.
	CHECK(hpsctl::render_volume(volume("null")).find("lease") == std::string::npos);
}
