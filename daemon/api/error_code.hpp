// SPDX-License-Identifier: GPL-2.0-only
// Error codes of the control API.  Their spellings are part of the protocol
// (daemon/PROTOCOL.md): never rename one, only add.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hps::api {

enum class ErrorCode {
	bad_request,	// not a valid request: bad JSON, missing or mistyped member
	too_large,	// request line longer than max_request_bytes
	unknown_method, // well-formed request naming a method hpsd does not have
	invalid_params, // the method exists but its params are wrong
	not_found,	// the object the request names does not exist
	illegal_state,	// the object exists but cannot do that now
	internal,	// hpsd failed; the request may be retried
};

std::string_view to_string(ErrorCode code) noexcept;
std::optional<ErrorCode> error_code_from_string(std::string_view text) noexcept;

// An error as carried in a response: a code for programs, one line for people.
struct ApiError {
	ErrorCode code;
	std::string message;
};

} // namespace hps::api
