// SPDX-License-Identifier: GPL-2.0-only
// hpsctl's exit codes.  Scripts depend on them: documented in `hpsctl
// --help` and tools/hpsctl/README.md, and never renumbered.
#pragma once

#include "api/error_code.hpp"

namespace hpsctl {

enum ExitCode : int {
	exit_ok = 0,
	exit_failure = 1,	// the command failed for another reason
	exit_bad_arguments = 2, // hpsctl's own arguments, or params hpsd rejected
	exit_not_found = 3,	// the object the command names does not exist
	exit_illegal_state = 5, // the object cannot do that in its current state
	exit_unreachable = 11,	// no answer from hpsd: not running, no socket, timeout
};

// The exit code for a command that hpsd answered with an error.
ExitCode exit_code_for(hps::api::ErrorCode code) noexcept;

} // namespace hpsctl
