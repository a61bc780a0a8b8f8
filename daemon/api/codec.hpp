// SPDX-License-Identifier: GPL-2.0-only
// The control API codec: one JSON object per line, both ways.  Pure
// functions, shared by hpsd (parse requests, build responses) and hpsctl
// (build requests, parse responses).  The format is in daemon/PROTOCOL.md.
#pragma once

#include "api/error_code.hpp"
#include "util/result.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace hps::api {

using Json = nlohmann::json;

// Longest request line hpsd accepts, not counting the newline.
inline constexpr std::size_t max_request_bytes = std::size_t{1} << 20;

struct Request {
	Json id;	    // an integer or a string, echoed in the response
	std::string method;
	Json params = Json::object();
};

// Why a line is not a request.  `id` is the request's id when the line had a
// usable one (so the client can match the error to its request), else null.
struct RequestError {
	Json id;
	ApiError error;
};

Result<Request, RequestError> parse_request(std::string_view line);

// One line without the trailing newline.
std::string encode_request(const Request& request);
std::string encode_ok(const Json& id, const Json& result);
std::string encode_error(const Json& id, const ApiError& error);

struct Response {
	Json id;
	Result<Json, ApiError> outcome; // the method's result, or its error
};

// For clients.  The error is one line saying what is wrong with the response.
Result<Response, std::string> parse_response(std::string_view line);

} // namespace hps::api
