// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/config.hpp"
#include "writeback/planner.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using hpsd::writeback::effective_burst_bytes;
using hpsd::writeback::PlannerConfig;
using hpsd::writeback::validate;

namespace {

std::vector<std::string> errors_of(const PlannerConfig& config)
{
	auto result = validate(config);
	REQUIRE_FALSE(result.ok());
	std::vector<std::string> lines;
	for (const auto& e : result.error())
		lines.push_back(to_string(e));
	return lines;
}

std::string error_of(const PlannerConfig& config)
{
	auto lines = errors_of(config);
	REQUIRE(lines.size() == 1);
	return lines[0];
}

} // namespace

TEST_CASE("writeback config: defaults are valid and as documented", "[writeback][config]")
{
	PlannerConfig config;
	CHECK(validate(config).ok());
	CHECK(config.max_io_bytes == 1024 * 1024);
	CHECK(config.max_inflight == 32);
	CHECK(config.rate_bytes_per_s == 0);
	CHECK(config.low_percent == 10);
	CHECK(config.high_percent == 80);
	REQUIRE(config.idle_age.has_value());
	CHECK(*config.idle_age == std::chrono::seconds(30));
}

TEST_CASE("writeback config: each bad field is named with its value", "[writeback][config]")
{
	PlannerConfig c;
	c.max_io_bytes = 1000;
	CHECK(error_of(c) == "field \"max_io_bytes\": 1000 is out of range 4096..67108864");
	c = {};
	c.max_io_bytes = 4096 + 100;
	CHECK(error_of(c) == "field \"max_io_bytes\": 4196 is not a multiple of 512");
	c = {};
	c.max_inflight = 0;
	CHECK(error_of(c) == "field \"max_inflight\": 0 is out of range 1..1024");
	c = {};
	c.rate_bytes_per_s = (std::uint64_t{1} << 40) + 1;
	CHECK(error_of(c) ==
	      "field \"rate_bytes_per_s\": 1099511627777 is out of range 0..1099511627776 (0: unlimited)");
	c = {};
	c.high_percent = 101;
	CHECK(error_of(c) == "field \"high_percent\": 101 is out of range 0..100");
	c = {};
	c.low_percent = 80;
	CHECK(error_of(c) == "field \"low_percent\": 80 is not below high_percent (80)");
	c = {};
	c.low_percent = 50;
	c.high_percent = 40;
	CHECK(error_of(c) == "field \"low_percent\": 50 is not below high_percent (40)");
	c = {};
	c.hysteresis_percent = 70;
	CHECK(error_of(c) ==
	      "field \"hysteresis_percent\": 70 is not below high_percent - low_percent (70)");
	c = {};
	c.backoff_initial = std::chrono::milliseconds(0);
	CHECK(error_of(c) == "field \"backoff_initial\": 0 ms is out of range 1..3600000 ms");
	c = {};
	c.backoff_max = std::chrono::milliseconds(500);
	CHECK(error_of(c) ==
	      "field \"backoff_max\": 500 ms is out of range 1000..3600000 ms (at least backoff_initial)");
}

TEST_CASE("writeback config: boundary values are accepted", "[writeback][config]")
{
	PlannerConfig c;
	c.low_percent = 0;
	c.high_percent = 100;
	c.hysteresis_percent = 0;
	c.max_io_bytes = 4096;
	c.max_inflight = 1024;
	c.rate_bytes_per_s = std::uint64_t{1} << 40;
	c.idle_age.reset();
	CHECK(validate(c).ok());
}

TEST_CASE("writeback config: every error is reported at once", "[writeback][config]")
{
	PlannerConfig c;
	c.max_inflight = 5000;
	c.low_percent = 90;
	c.backoff_initial = std::chrono::milliseconds(0);
	auto lines = errors_of(c);
	CHECK(lines.size() == 3);
}

TEST_CASE("writeback config: Planner::create refuses a bad config", "[writeback][config]")
{
	PlannerConfig c;
	c.high_percent = 5;
	auto planner = hpsd::writeback::Planner::create(c, {});
	REQUIRE_FALSE(planner.ok());
	REQUIRE(planner.error().size() == 1);
	CHECK(planner.error()[0].field == "low_percent");
}

TEST_CASE("writeback config: default burst is 1/10 s of rate, at least one io",
	  "[writeback][config]")
{
	PlannerConfig c;
	c.rate_bytes_per_s = 100'000'000;
	CHECK(effective_burst_bytes(c) == 10'000'000);
	c.rate_bytes_per_s = 1'000'000;
	CHECK(effective_burst_bytes(c) == 1024 * 1024);
	c.burst_bytes = 5000;
	CHECK(effective_burst_bytes(c) == 5000);
}
