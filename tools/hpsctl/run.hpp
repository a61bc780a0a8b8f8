// SPDX-License-Identifier: GPL-2.0-only
// Running a parsed hpsctl command: ask hpsd, print the answer.
#pragma once

#include "hpsctl/cli.hpp"
#include "hpsctl/exit_codes.hpp"

#include <ostream>

namespace hpsctl {

// Prints results to `out` and the one-line error, if any, to `err`.
// `err_tty`: `err` is a terminal, so a drain's progress is one line
// redrawn in place rather than a line a second.
ExitCode run_command(const Options& options, const RunCommand& command, std::ostream& out,
		     std::ostream& err, bool err_tty = false);

} // namespace hpsctl
