// SPDX-License-Identifier: GPL-2.0-only
#include "api/codec.hpp"

#include "util/json_text.hpp"

#include <string>

namespace hps::api {
namespace {

bool is_valid_id(const Json& id)
{
	return id.is_number_integer() || id.is_string();
}

RequestError bad_request(const Json& id, std::string message)
{
	return RequestError{id, ApiError{ErrorCode::bad_request, std::move(message)}};
}

} // namespace

Result<Request, RequestError> parse_request(std::string_view line)
{
	if (line.size() > max_request_bytes)
		return fail(RequestError{nullptr, ApiError{ErrorCode::too_large,
			"request is " + std::to_string(line.size()) + " bytes, the limit is " +
				std::to_string(max_request_bytes)}});

	Json doc;
	try {
		doc = Json::parse(line);
	} catch (const Json::parse_error& e) {
		return fail(bad_request(nullptr, "invalid JSON: " + hps::json_error_text(e)));
	}
	if (!doc.is_object())
		return fail(bad_request(nullptr, "request must be a JSON object, got " +
							 hps::describe_value(doc)));

	// The id first, so that every later error can carry it.
	auto id_it = doc.find("id");
	if (id_it == doc.end())
		return fail(bad_request(nullptr, "missing member \"id\""));
	if (!is_valid_id(*id_it))
		return fail(bad_request(nullptr, "member \"id\": expected an integer or a string, got " +
							 hps::describe_value(*id_it)));
	const Json& id = *id_it;

	for (auto it = doc.begin(); it != doc.end(); ++it) {
		const std::string& key = it.key();
		if (key != "id" && key != "method" && key != "params")
			return fail(bad_request(id, "unknown member " + hps::describe_value(key)));
	}

	Request request;
	request.id = id;
	auto method_it = doc.find("method");
	if (method_it == doc.end())
		return fail(bad_request(id, "missing member \"method\""));
	if (!method_it->is_string())
		return fail(bad_request(id, "member \"method\": expected a string, got " +
						    hps::describe_value(*method_it)));
	request.method = method_it->get<std::string>();
	if (request.method.empty())
		return fail(bad_request(id, "member \"method\" is empty"));

	auto params_it = doc.find("params");
	if (params_it != doc.end()) {
		if (!params_it->is_object())
			return fail(bad_request(id, "member \"params\": expected an object, got " +
							    hps::describe_value(*params_it)));
		request.params = *params_it;
	}
	return request;
}

// Written member by member rather than as one nlohmann object, whose keys
// come out sorted: "id" first reads better in logs and packet dumps.
std::string encode_request(const Request& request)
{
	return "{\"id\":" + hps::dump_json(request.id) + ",\"method\":" + hps::dump_json(request.method) +
	       ",\"params\":" + hps::dump_json(request.params) + "}";
}

std::string encode_ok(const Json& id, const Json& result)
{
	return "{\"id\":" + hps::dump_json(id) + ",\"ok\":true,\"result\":" + hps::dump_json(result) +
	       "}";
}

std::string encode_error(const Json& id, const ApiError& error)
{
	return "{\"id\":" + hps::dump_json(id) + ",\"ok\":false,\"error\":{\"code\":" +
	       hps::dump_json(to_string(error.code)) + ",\"message\":" + hps::dump_json(error.message) +
	       "}}";
}

Result<Response, std::string> parse_response(std::string_view line)
{
	Json doc;
	try {
		doc = Json::parse(line);
	} catch (const Json::parse_error& e) {
		return fail("invalid JSON: " + hps::json_error_text(e));
	}
	if (!doc.is_object())
		return fail("response is not a JSON object");
	auto id_it = doc.find("id");
	if (id_it == doc.end())
		return fail(std::string("response has no \"id\""));
	auto ok_it = doc.find("ok");
	if (ok_it == doc.end() || !ok_it->is_boolean())
		return fail(std::string("response has no boolean \"ok\""));

	if (ok_it->get<bool>()) {
		auto result_it = doc.find("result");
		if (result_it == doc.end())
			return fail(std::string("response has \"ok\": true but no \"result\""));
		return Response{*id_it, *result_it};
	}

	auto error_it = doc.find("error");
	if (error_it == doc.end() || !error_it->is_object())
		return fail(std::string("response has \"ok\": false but no \"error\" object"));
	auto code_it = error_it->find("code");
	auto message_it = error_it->find("message");
	if (code_it == error_it->end() || !code_it->is_string() || message_it == error_it->end() ||
	    !message_it->is_string())
		return fail(std::string("response error lacks a string \"code\" or \"message\""));
	// A code this client does not know (from a newer hpsd) still fails the
	// command; "internal" is the generic failure.
	auto code = error_code_from_string(code_it->get<std::string>()).value_or(ErrorCode::internal);
	return Response{*id_it, fail(ApiError{code, message_it->get<std::string>()})};
}

} // namespace hps::api
