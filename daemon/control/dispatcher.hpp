// SPDX-License-Identifier: GPL-2.0-only
// Dispatcher: turns one request line into one response line by calling the
// handler registered for the request's method.  Knows nothing of sockets, so
// the whole request -> response path is unit-tested without any I/O.
#pragma once

#include "api/codec.hpp"
#include "core/log.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace hpsd {

class Dispatcher {
public:
	using Json = hps::api::Json;
	using Handler = std::function<hps::Result<Json, hps::api::ApiError>(const Json& params)>;

	explicit Dispatcher(Logger& log) : log_(log) {}

	void add(std::string method, Handler handler);

	// Response line (without the newline) for one request line.  Never
	// throws: a handler that throws yields an "internal" error response.
	std::string handle_line(std::string_view line) const;

	// Response for a line that was cut off for being longer than the limit.
	std::string handle_oversize() const;

private:
	Logger& log_;
	std::map<std::string, Handler, std::less<>> handlers_;
};

// For handlers of methods that take no parameters: any member is an error.
hps::Result<void, hps::api::ApiError> expect_no_params(const hps::api::Json& params);

} // namespace hpsd
