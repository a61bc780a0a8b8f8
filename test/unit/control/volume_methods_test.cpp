// SPDX-License-Identifier: GPL-2.0-only
#include "control/volume_methods.hpp"

#include <catch2/catch.hpp>

using hps::api::ErrorCode;
using hps::api::Json;
using namespace std::chrono_literals;

namespace {

hps::volume::VolumeView view(std::optional<std::uint64_t> dirty)
{
	hps::volume::VolumeView v;
	v.record = {"db1", 7, 0, 64 << 20, "db1", hps::volume::VolumeRole::standalone, ""};
	v.device = "/dev/mapper/hps-db1";
	v.present = true;
	hps::dm::VolumeStatus status;
	status.role = "standalone";
	status.mode = "writeback";
	status.volume_id = 7;
	status.dirty_blocks = dirty;
	v.status = status;
	return v;
}

} // namespace

TEST_CASE("volume.flush params: a name and nothing else", "[control]")
{
	CHECK(*hpsd::flush_params(Json{{"name", "db1"}}) == "db1");
	auto missing = hpsd::flush_params(Json::object());
	REQUIRE_FALSE(missing.ok());
	CHECK(missing.error().code == ErrorCode::invalid_params);
	CHECK(missing.error().message == "member \"params.name\" is missing");
	auto typed = hpsd::flush_params(Json{{"name", 5}});
	REQUIRE_FALSE(typed.ok());
	CHECK(typed.error().message.find("is not a string") != std::string::npos);
	auto extra = hpsd::flush_params(Json{{"name", "db1"}, {"wait", true}});
	REQUIRE_FALSE(extra.ok());
	CHECK(extra.error().code == ErrorCode::invalid_params);
	CHECK(extra.error().message.find("unknown parameter \"wait\"") != std::string::npos);
}

TEST_CASE("volume JSON: dirty blocks at the top, flushing and the drain", "[control]")
{
	Json idle = hpsd::volume_json(view(12));
	CHECK(idle["dirty_blocks"] == 12);
	CHECK(idle["block_bytes"] == 4096);
	CHECK(idle["flushing"] == false);
	CHECK(idle["flush"].is_null());
	CHECK(idle["status"]["dirty_blocks"] == 12);

	hps::volume::FlushView flush{{false, 300, 20, true, -110}, 9s};
	Json busy = hpsd::volume_json(view(12), flush);
	CHECK(busy["flushing"] == true);
	CHECK(busy["flush"] == Json{{"elapsed_s", 9},
				    {"blocks_cleaned", 300},
				    {"blocks_held", 20},
				    {"backing_off", true},
				    {"last_errno", 110},
				    {"last_error", "Connection timed out"}});

	auto no_status = view(std::nullopt);
	no_status.status.reset();
	CHECK(hpsd::volume_json(no_status)["dirty_blocks"].is_null());
}

TEST_CASE("volume.flush result", "[control]")
{
	Json r = hpsd::flush_result(view(40), hps::volume::FlushView{{}, 0s});
	CHECK(r["name"] == "db1");
	CHECK(r["dirty_blocks"] == 40);
	CHECK(r["flushing"] == true);
	CHECK(r["flush"]["last_error"].is_null());
	CHECK(hpsd::flush_result(view(0), std::nullopt)["flushing"] == false);
}
