// SPDX-License-Identifier: GPL-2.0-only
// Runs a parsed hps-logreplay command.
#pragma once

#include "hps-logreplay/cli.hpp"

#include <ostream>

namespace hps::logreplay {

// Exit codes, documented in --help and README.md; never renumbered.
enum ExitCode : int {
	exit_ok = 0,
	exit_failure = 1,	// corrupt log, I/O error
	exit_bad_arguments = 2, // the command line, or --to/--to-mark/--from not in the log
	exit_mismatch = 3,	// --verify found a difference
};

// Prints results on `out`, one-line errors ("hps-logreplay: ...") on `err`.
int run_list(const ListCommand& c, std::ostream& out, std::ostream& err);
int run_points(const PointsCommand& c, std::ostream& out, std::ostream& err);
int run_replay(const ReplayCommand& c, std::ostream& out, std::ostream& err);

} // namespace hps::logreplay
