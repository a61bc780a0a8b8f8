// SPDX-License-Identifier: GPL-2.0-only
// host.add / host.list / host.remove, volume.attach / volume.detach and
// export's part of volume.show and volume.delete, through the dispatcher,
// over an export service that is off (configfs is the service's tests').
#include "control/host_methods.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using hps::api::ErrorCode;
using hps::api::Json;

namespace {

const std::string nqn_a = "nqn.2014-08.org.nvmexpress:uuid:0c6b1e1a-1111-4c55-9a57-3f6c1e0b9d21";

struct Fixture {
	hps::test::TempDir state;
	std::ostringstream log_text;
	hpsd::Logger log{log_text, hpsd::LogLevel::debug};
	hpsd::Dispatcher dispatcher{log};
	hpsd::exports::ExportService exports{hpsd::ExportConfig{}, "", state.path(), {}, {}};

	Fixture()
	{
		REQUIRE(exports.start().ok());
		hpsd::add_host_methods(dispatcher, exports,
				       [](const std::string& name) { return name == "db1"; });
	}

	hps::api::Response call(const std::string& method, const Json& params) const
	{
		const Json request{{"id", 1}, {"method", method}, {"params", params}};
		auto parsed = hps::api::parse_response(dispatcher.handle_line(request.dump()));
		REQUIRE(parsed.ok());
		return std::move(parsed).value();
	}
	Json ok(const std::string& method, const Json& params) const
	{
		auto r = call(method, params);
		INFO(method << " " << params.dump() << ": "
			    << (r.outcome.ok() ? "" : r.outcome.error().message));
		REQUIRE(r.outcome.ok());
		return *r.outcome;
	}
	hps::api::ApiError error(const std::string& method, const Json& params) const
	{
		auto r = call(method, params);
		REQUIRE_FALSE(r.outcome.ok());
		return r.outcome.error();
	}
};

} // namespace

TEST_CASE("host.add, host.list, host.remove", "[control][export]")
{
	Fixture f;
	const Json web1{{"name", "web1"}, {"nqn", nqn_a}, {"chap_secret", "0123456789abcdef"}};
	Json added = f.ok("host.add", web1);
	CHECK(added["added"] == true);
	// The secret is never shown.
	CHECK(added["host"] == Json{{"name", "web1"},
				    {"nqn", nqn_a},
				    {"iqn", nullptr},
				    {"chap", true},
				    {"volumes", Json::array()}});
	CHECK(f.ok("host.add", web1)["added"] == false);
	auto conflict = f.error("host.add", Json{{"name", "web1"}, {"nqn", nqn_a + "x"}});
	CHECK(conflict.code == ErrorCode::illegal_state);
	CHECK(conflict.message.starts_with("host \"web1\" exists with nqn"));
	auto bad = f.error("host.add", Json{{"name", "web2"}, {"nqn", "nqn:x"}});
	CHECK(bad.code == ErrorCode::invalid_params);
	CHECK(bad.message == "host \"web2\": nqn \"nqn:x\" must start with \"nqn.\"");
	CHECK(f.error("host.add", Json{{"name", "web2"}}).message ==
	      "member \"params.nqn\" is missing");
	CHECK(f.error("host.add", Json{{"name", "web2"}, {"nqn", nqn_a}, {"wwn", "x"}}).message ==
	      "member \"params\": unknown parameter \"wwn\"");

	Json list = f.ok("host.list", Json::object());
	REQUIRE(list["hosts"].size() == 1);
	CHECK(list["hosts"][0]["name"] == "web1");

	CHECK(f.ok("host.remove", Json{{"name", "web1"}}) == Json{{"removed", "web1"}});
	CHECK(f.error("host.remove", Json{{"name", "web1"}}).code == ErrorCode::not_found);
	CHECK(f.ok("host.list", Json::object())["hosts"].empty());
}

TEST_CASE("volume.attach and volume.detach", "[control][export]")
{
	Fixture f;
	f.ok("host.add", Json{{"name", "web1"}, {"nqn", nqn_a}});
	const Json params{{"name", "db1"}, {"host", "web1"}};
	Json attached = f.ok("volume.attach", params);
	CHECK(attached["attached"] == true);
	CHECK(attached["export_error"].is_null());
	CHECK(f.ok("volume.attach", params)["attached"] == false);
	CHECK(f.error("volume.attach", Json{{"name", "db9"}, {"host", "web1"}}).message ==
	      "no volume \"db9\"");
	CHECK(f.error("volume.attach", Json{{"name", "db1"}, {"host", "web9"}}).code ==
	      ErrorCode::not_found);

	auto busy = f.error("host.remove", Json{{"name", "web1"}});
	CHECK(busy.code == ErrorCode::illegal_state);
	CHECK(busy.message == "host \"web1\" is attached to 1 volume (db1): detach them first");

	// volume.show's "export", and volume.delete refused while attached.
	const auto hooks = hpsd::volume_export_hooks(f.exports);
	const hps::volume::VolumeRecord record{"db1", 7, 0, 1 << 30, "db1",
					       hps::volume::VolumeRole::standalone, ""};
	Json shown = hooks.json(record);
	CHECK(shown["enabled"] == false);
	CHECK(shown["nqn"] == "nqn.2014-08.org.hps:vol:7");
	CHECK(shown["hosts"] == Json::array({"web1"}));
	CHECK(shown["exported"] == false);
	CHECK(shown["ports"].empty());
	auto refused = hooks.before_delete("db1");
	REQUIRE_FALSE(refused.ok());
	CHECK(refused.error().code == ErrorCode::illegal_state);
	CHECK(refused.error().message ==
	      "volume \"db1\" is attached to host web1: detach it first (volume.detach)");

	CHECK(f.ok("volume.detach", params)["detached"] == true);
	CHECK(f.ok("volume.detach", params)["detached"] == false);
	// A volume no longer on this node can still be detached.
	CHECK(f.ok("volume.detach", Json{{"name", "db9"}, {"host", "web1"}})["detached"] == false);
	CHECK(hooks.before_delete("db1").ok());
	CHECK(f.ok("host.remove", Json{{"name", "web1"}}) == Json{{"removed", "web1"}});
}
