// SPDX-License-Identifier: GPL-2.0-only
// One request/response exchange with hpsd over its control socket, with a
// deadline.  Plain blocking-free POSIX I/O: hpsctl has one thing to wait for
// and no need for an event loop.
#pragma once

#include "api/codec.hpp"
#include "hpsctl/exit_codes.hpp"
#include "util/result.hpp"

#include <chrono>
#include <string>

namespace hpsctl {

struct CallError {
	ExitCode exit_code; // exit_unreachable or exit_failure
	std::string message;
};

// Sends `request` to the hpsd listening on `socket` and returns its response
// (which may carry an API error: that is the caller's to interpret).
hps::Result<hps::api::Response, CallError> call_hpsd(const std::string& socket,
						      std::chrono::milliseconds timeout,
						      const hps::api::Request& request);

} // namespace hpsctl
