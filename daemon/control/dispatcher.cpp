// SPDX-License-Identifier: GPL-2.0-only
#include "control/dispatcher.hpp"

#include "util/json_text.hpp"

#include <exception>

namespace hpsd {

using hps::api::ApiError;
using hps::api::ErrorCode;

void Dispatcher::add(std::string method, Handler handler)
{
	handlers_.insert_or_assign(std::move(method), std::move(handler));
}

std::string Dispatcher::handle_line(std::string_view line) const
{
	auto request = hps::api::parse_request(line);
	if (!request) {
		const auto& err = request.error();
		log_.debug("rejected request: " + err.error.message);
		return hps::api::encode_error(err.id, err.error);
	}

	auto handler = handlers_.find(request->method);
	if (handler == handlers_.end()) {
		return hps::api::encode_error(
			request->id, {ErrorCode::unknown_method,
				      "unknown method " + hps::describe_value(request->method)});
	}

	log_.debug("request " + hps::describe_value(request->id) + ": " + request->method);
	try {
		auto result = handler->second(request->params);
		if (!result)
			return hps::api::encode_error(request->id, result.error());
		return hps::api::encode_ok(request->id, *result);
	} catch (const std::exception& e) {
		// A bug or resource failure in one request must not take the
		// control socket (and with it every other client) down.
		log_.error("method " + request->method + " failed: " + e.what());
		return hps::api::encode_error(request->id,
					      {ErrorCode::internal, request->method + " failed: " + e.what()});
	}
}

std::string Dispatcher::handle_oversize() const
{
	log_.debug("rejected a request longer than the limit");
	return hps::api::encode_error(
		nullptr, {ErrorCode::too_large, "request line is longer than " +
							std::to_string(hps::api::max_request_bytes) +
							" bytes; it was skipped up to its newline"});
}

hps::Result<void, ApiError> expect_no_params(const hps::api::Json& params)
{
	if (!params.empty())
		return hps::fail(ApiError{ErrorCode::invalid_params,
					  "member \"params\": unknown parameter " +
						  hps::describe_value(params.begin().key())});
	return {};
}

} // namespace hpsd
