// SPDX-License-Identifier: GPL-2.0-only
// The daemon proper: wires the control API to its methods and runs the
// event loop until SIGTERM/SIGINT.
#pragma once

#include "config/config.hpp"
#include "core/log.hpp"
#include "core/options.hpp"

namespace hpsd {

// Returns the process exit status (0 after a clean stop, 1 on failure).
int run_daemon(const Config& config, const RunOptions& options, Logger& log);

} // namespace hpsd
