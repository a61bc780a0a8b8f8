// SPDX-License-Identifier: GPL-2.0-only
#include "api/codec.hpp"

#include <catch2/catch.hpp>

#include <string>

using hps::api::ErrorCode;
using hps::api::Json;
using hps::api::parse_request;
using hps::api::parse_response;

namespace {

// The error a line must produce.
hps::api::RequestError rejected(const std::string& line)
{
	auto r = parse_request(line);
	INFO("line: " << line.substr(0, 200));
	REQUIRE_FALSE(r.ok());
	CHECK(r.error().error.message.find('\n') == std::string::npos);
	return r.error();
}

} // namespace

TEST_CASE("api codec: parses a well-formed request", "[api]")
{
	auto r = parse_request(R"({"id": 7, "method": "status", "params": {"verbose": true}})");
	REQUIRE(r.ok());
	CHECK(r->id == 7);
	CHECK(r->method == "status");
	CHECK(r->params == Json{{"verbose", true}});
}

TEST_CASE("api codec: ids may be integers or strings, params default to {}", "[api]")
{
	auto by_string = parse_request(R"({"id": "req-1", "method": "status"})");
	REQUIRE(by_string.ok());
	CHECK(by_string->id == "req-1");
	CHECK(by_string->params == Json::object());

	auto negative = parse_request(R"({"id": -3, "method": "status", "params": {}})");
	REQUIRE(negative.ok());
	CHECK(negative->id == -3);
}

TEST_CASE("api codec: invalid JSON is a bad_request with a null id", "[api]")
{
	for (const char* line : {"garbage", "{", R"({"id": 1, "method": "status"} x)", "\xff\xfe",
				 R"({"id": 1, "method": "st\xffus"})"}) {
		auto e = rejected(line);
		CHECK(e.id.is_null());
		CHECK(e.error.code == ErrorCode::bad_request);
		CHECK(e.error.message.starts_with("invalid JSON: "));
		// The message must be printable in a response even if the
		// request held invalid UTF-8.
		CHECK_NOTHROW(hps::api::encode_error(e.id, e.error));
	}
}

TEST_CASE("api codec: a request must be an object", "[api]")
{
	CHECK(rejected("[1, 2]").error.message == "request must be a JSON object, got an array");
	CHECK(rejected("42").error.message == "request must be a JSON object, got 42");
	CHECK(rejected("null").error.message == "request must be a JSON object, got null");
}

TEST_CASE("api codec: a missing or mistyped id is an error with a null id", "[api]")
{
	auto missing = rejected(R"({"method": "status"})");
	CHECK(missing.id.is_null());
	CHECK(missing.error.message == R"(missing member "id")");

	for (const char* id : {"1.5", "true", "null", "[1]", "{}"}) {
		auto e = rejected(std::string(R"({"method": "status", "id": )") + id + "}");
		CHECK(e.id.is_null());
		CHECK(e.error.code == ErrorCode::bad_request);
		CHECK(e.error.message.starts_with(R"(member "id": expected an integer or a string, got )"));
	}
	CHECK(rejected(R"({"id": 1.5, "method": "status"})").error.message ==
	      R"(member "id": expected an integer or a string, got 1.5)");
}

TEST_CASE("api codec: errors after a good id carry that id", "[api]")
{
	auto no_method = rejected(R"({"id": 9})");
	CHECK(no_method.id == 9);
	CHECK(no_method.error.message == R"(missing member "method")");

	auto bad_method = rejected(R"({"id": "a", "method": 3})");
	CHECK(bad_method.id == "a");
	CHECK(bad_method.error.message == R"(member "method": expected a string, got 3)");

	CHECK(rejected(R"({"id": 1, "method": ""})").error.message == R"(member "method" is empty)");

	auto bad_params = rejected(R"({"id": 2, "method": "status", "params": [1]})");
	CHECK(bad_params.id == 2);
	CHECK(bad_params.error.message == R"(member "params": expected an object, got an array)");
	CHECK(rejected(R"({"id": 2, "method": "status", "params": null})").error.message ==
	      R"(member "params": expected an object, got null)");

	auto extra = rejected(R"({"id": 3, "method": "status", "jsonrpc": "2.0"})");
	CHECK(extra.id == 3);
	CHECK(extra.error.message == R"(unknown member "jsonrpc")");
}

TEST_CASE("api codec: a line over the limit is too_large", "[api]")
{
	std::string line = R"({"id": 1, "method": "status", "params": {"pad": ")" +
			   std::string(hps::api::max_request_bytes, 'x') + "\"}}";
	auto e = rejected(line);
	CHECK(e.id.is_null());
	CHECK(e.error.code == ErrorCode::too_large);

	std::string at_limit = R"({"id": 1, "method": "status", "params": {"pad": ")";
	at_limit += std::string(hps::api::max_request_bytes - at_limit.size() - 3, 'x') + "\"}}";
	REQUIRE(at_limit.size() == hps::api::max_request_bytes);
	CHECK(parse_request(at_limit).ok());
}

TEST_CASE("api codec: deeply nested input neither crashes nor echoes back", "[api]")
{
	std::string deep = R"({"id": 1, "method": "x", "params": )" + std::string(200000, '[') +
			   std::string(200000, ']') + "}";
	auto e = rejected(deep);
	CHECK(e.error.message == R"(member "params": expected an object, got an array)");

	std::string deep_id = R"({"id": )" + std::string(100000, '[') + std::string(100000, ']') + "}";
	CHECK(rejected(deep_id).error.message.size() < 100);
}

TEST_CASE("api codec: long values in messages are cut short", "[api]")
{
	auto e = rejected(R"({"id": 1, "method": "status", ")" + std::string(5000, 'k') + R"(": 1})");
	CHECK(e.error.message.size() < 200);
	CHECK(e.error.message.starts_with(R"(unknown member "kkk)"));
	CHECK(e.error.message.ends_with("..."));
}

TEST_CASE("api codec: parse errors do not quote a long bad token in full", "[api]")
{
	std::string line = "{\"id\": 1, \"method\": \"" + std::string(500000, 'm') + "\x01\"}";
	auto e = rejected(line);
	CHECK(e.error.message.starts_with("invalid JSON: "));
	CHECK(e.error.message.size() < 300);
}

TEST_CASE("api codec: responses put id first and round-trip", "[api]")
{
	std::string ok = hps::api::encode_ok(5, Json{{"node", "a"}});
	CHECK(ok == R"({"id":5,"ok":true,"result":{"node":"a"}})");
	auto parsed = parse_response(ok);
	REQUIRE(parsed.ok());
	CHECK(parsed->id == 5);
	REQUIRE(parsed->outcome.ok());
	CHECK(*parsed->outcome == Json{{"node", "a"}});

	std::string err = hps::api::encode_error(nullptr, {ErrorCode::too_large, "too big"});
	CHECK(err == R"({"id":null,"ok":false,"error":{"code":"too_large","message":"too big"}})");
	auto parsed_err = parse_response(err);
	REQUIRE(parsed_err.ok());
	CHECK(parsed_err->id.is_null());
	REQUIRE_FALSE(parsed_err->outcome.ok());
	CHECK(parsed_err->outcome.error().code == ErrorCode::too_large);
	CHECK(parsed_err->outcome.error().message == "too big");
}

TEST_CASE("api codec: encoded requests parse back", "[api]")
{
	hps::api::Request request{"abc", "status", Json{{"k", 1}}};
	std::string line = hps::api::encode_request(request);
	CHECK(line == R"({"id":"abc","method":"status","params":{"k":1}})");
	auto parsed = parse_request(line);
	REQUIRE(parsed.ok());
	CHECK(parsed->id == "abc");
	CHECK(parsed->method == "status");
	CHECK(parsed->params == Json{{"k", 1}});
}

TEST_CASE("api codec: malformed responses are reported", "[api]")
{
	CHECK_FALSE(parse_response("nope").ok());
	CHECK(parse_response("[]").error() == "response is not a JSON object");
	CHECK(parse_response(R"({"ok": true, "result": 1})").error() == R"(response has no "id")");
	CHECK(parse_response(R"({"id": 1, "result": 1})").error() == R"(response has no boolean "ok")");
	CHECK(parse_response(R"({"id": 1, "ok": true})").error() ==
	      R"(response has "ok": true but no "result")");
	CHECK(parse_response(R"({"id": 1, "ok": false})").error() ==
	      R"(response has "ok": false but no "error" object)");
	CHECK(parse_response(R"({"id": 1, "ok": false, "error": {"code": 1, "message": "m"}})")
		      .error() == R"(response error lacks a string "code" or "message")");
}

TEST_CASE("api codec: an error code this client does not know counts as internal", "[api]")
{
	auto r = parse_response(R"({"id":1,"ok":false,"error":{"code":"quota_exceeded","message":"m"}})");
	REQUIRE(r.ok());
	CHECK(r->outcome.error().code == ErrorCode::internal);
	CHECK(r->outcome.error().message == "m");
}

TEST_CASE("api codec: error code names are stable", "[api]")
{
	using hps::api::error_code_from_string;
	using hps::api::to_string;
	CHECK(to_string(ErrorCode::bad_request) == "bad_request");
	CHECK(to_string(ErrorCode::too_large) == "too_large");
	CHECK(to_string(ErrorCode::unknown_method) == "unknown_method");
	CHECK(to_string(ErrorCode::invalid_params) == "invalid_params");
	CHECK(to_string(ErrorCode::not_found) == "not_found");
	CHECK(to_string(ErrorCode::illegal_state) == "illegal_state");
	CHECK(to_string(ErrorCode::internal) == "internal");
	for (auto code : {ErrorCode::bad_request, ErrorCode::too_large, ErrorCode::unknown_method,
			  ErrorCode::invalid_params, ErrorCode::not_found, ErrorCode::illegal_state,
			  ErrorCode::internal})
		CHECK(error_code_from_string(to_string(code)) == code);
	CHECK_FALSE(error_code_from_string("nope").has_value());
}
