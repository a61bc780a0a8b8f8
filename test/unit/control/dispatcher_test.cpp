// SPDX-License-Identifier: GPL-2.0-only
#include "control/dispatcher.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <stdexcept>

using hps::api::ApiError;
using hps::api::ErrorCode;
using hps::api::Json;
using hpsd::Dispatcher;

namespace {

struct Fixture {
	std::ostringstream log_text;
	hpsd::Logger log{log_text, hpsd::LogLevel::debug};
	Dispatcher dispatcher{log};

	Fixture()
	{
		dispatcher.add("echo", [](const Json& params) -> hps::Result<Json, ApiError> {
			return Json{{"params", params}};
		});
		dispatcher.add("missing", [](const Json&) -> hps::Result<Json, ApiError> {
			return hps::fail(ApiError{ErrorCode::not_found, "volume \"v1\" does not exist"});
		});
		dispatcher.add("throws", [](const Json&) -> hps::Result<Json, ApiError> {
			throw std::runtime_error("disk on fire");
		});
		dispatcher.add("quiet", [](const Json& params) -> hps::Result<Json, ApiError> {
			if (auto checked = hpsd::expect_no_params(params); !checked)
				return hps::fail(checked.error());
			return Json::object();
		});
	}

	hps::api::Response call(const std::string& line) const
	{
		auto parsed = hps::api::parse_response(dispatcher.handle_line(line));
		REQUIRE(parsed.ok());
		return std::move(parsed).value();
	}
};

} // namespace

TEST_CASE("dispatcher: calls the method's handler and returns its result", "[control]")
{
	Fixture f;
	auto r = f.call(R"({"id": 4, "method": "echo", "params": {"a": 1}})");
	CHECK(r.id == 4);
	REQUIRE(r.outcome.ok());
	CHECK(*r.outcome == Json{{"params", {{"a", 1}}}});
}

TEST_CASE("dispatcher: an unknown method is unknown_method, naming it", "[control]")
{
	Fixture f;
	auto r = f.call(R"({"id": "x", "method": "reboot"})");
	CHECK(r.id == "x");
	REQUIRE_FALSE(r.outcome.ok());
	CHECK(r.outcome.error().code == ErrorCode::unknown_method);
	CHECK(r.outcome.error().message == R"(unknown method "reboot")");
}

TEST_CASE("dispatcher: a bad request line gets an error response", "[control]")
{
	Fixture f;
	auto r = f.call("not json");
	CHECK(r.id.is_null());
	CHECK(r.outcome.error().code == ErrorCode::bad_request);
}

TEST_CASE("dispatcher: handler errors are passed through with the request id", "[control]")
{
	Fixture f;
	auto r = f.call(R"({"id": 1, "method": "missing"})");
	CHECK(r.id == 1);
	CHECK(r.outcome.error().code == ErrorCode::not_found);
	CHECK(r.outcome.error().message == R"(volume "v1" does not exist)");
}

TEST_CASE("dispatcher: a throwing handler yields internal, not a crash", "[control]")
{
	Fixture f;
	auto r = f.call(R"({"id": 2, "method": "throws"})");
	CHECK(r.outcome.error().code == ErrorCode::internal);
	CHECK(r.outcome.error().message == "throws failed: disk on fire");
	CHECK(f.log_text.str().find("disk on fire") != std::string::npos);
}

TEST_CASE("dispatcher: methods without parameters reject any", "[control]")
{
	Fixture f;
	CHECK(f.call(R"({"id": 1, "method": "quiet"})").outcome.ok());
	CHECK(f.call(R"({"id": 1, "method": "quiet", "params": {}})").outcome.ok());
	auto r = f.call(R"({"id": 1, "method": "quiet", "params": {"verbose": true}})");
	CHECK(r.outcome.error().code == ErrorCode::invalid_params);
	CHECK(r.outcome.error().message == R"(member "params": unknown parameter "verbose")");
}

TEST_CASE("dispatcher: the oversize response has a null id and code too_large", "[control]")
{
	Fixture f;
	auto r = hps::api::parse_response(f.dispatcher.handle_oversize());
	REQUIRE(r.ok());
	CHECK(r->id.is_null());
	CHECK(r->outcome.error().code == ErrorCode::too_large);
}
