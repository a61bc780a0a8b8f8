// SPDX-License-Identifier: GPL-2.0-only
#include "core/options.hpp"

#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

using hpsd::parse_options;
using hpsd::RunOptions;

namespace {

auto parse(std::vector<std::string_view> args)
{
	return parse_options(args);
}

RunOptions run_options(std::vector<std::string_view> args)
{
	auto r = parse(std::move(args));
	REQUIRE(r.ok());
	REQUIRE(std::holds_alternative<RunOptions>(*r));
	return std::get<RunOptions>(*r);
}

} // namespace

TEST_CASE("hpsd options: defaults", "[hpsd]")
{
	auto o = run_options({});
	CHECK(o.config_path == "/etc/hps/hpsd.json");
	CHECK_FALSE(o.check_config);
	CHECK(o.sysfs_module_dir == "/sys/module/dm_hps");
}

TEST_CASE("hpsd options: --config takes a path, spaced or with =", "[hpsd]")
{
	CHECK(run_options({"--config", "/tmp/a.json"}).config_path == "/tmp/a.json");
	CHECK(run_options({"--config=/tmp/b.json"}).config_path == "/tmp/b.json");
	CHECK(run_options({"--sysfs-module-dir", "/tmp/sys"}).sysfs_module_dir == "/tmp/sys");
}

TEST_CASE("hpsd options: --foreground is accepted, --check-config noted", "[hpsd]")
{
	CHECK(run_options({"--foreground"}).config_path == "/etc/hps/hpsd.json");
	CHECK(run_options({"--check-config", "--foreground"}).check_config);
}

TEST_CASE("hpsd options: --help and --version", "[hpsd]")
{
	for (std::string_view flag : {"--help", "-h"}) {
		auto r = parse({flag});
		REQUIRE(r.ok());
		CHECK(std::holds_alternative<hpsd::ShowHelp>(*r));
	}
	for (std::string_view flag : {"--version", "-V"}) {
		auto r = parse({flag});
		REQUIRE(r.ok());
		CHECK(std::holds_alternative<hpsd::ShowVersion>(*r));
	}
	CHECK(hpsd::usage_text().find("--config PATH") != std::string::npos);
	CHECK(hpsd::usage_text().find("Exit status") != std::string::npos);
}

TEST_CASE("hpsd options: bad arguments name themselves", "[hpsd]")
{
	CHECK(parse({"--config"}).error() == "--config needs a value");
	CHECK(parse({"--config="}).error() == "--config needs a non-empty value");
	CHECK(parse({"--daemonize"}).error() == "unknown option \"--daemonize\"");
	CHECK(parse({"start"}).error() == "unexpected argument \"start\"");
	CHECK(parse({"--foreground=yes"}).error() == "--foreground takes no value");
}
