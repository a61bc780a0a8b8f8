// SPDX-License-Identifier: GPL-2.0-only
// hpsd's command line.  Parsing is a pure function of the arguments.
#pragma once

#include "status/kernel_abi.hpp"
#include "util/result.hpp"

#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace hpsd {

inline constexpr const char* default_config_path = "/etc/hps/hpsd.json";

struct RunOptions {
	std::string config_path = default_config_path;
	bool check_config = false; // validate the config, print the verdict, exit
	std::string sysfs_module_dir = default_sysfs_module_dir;
};
struct ShowHelp {};
struct ShowVersion {};

using Invocation = std::variant<RunOptions, ShowHelp, ShowVersion>;

// `args` excludes argv[0].  The error is one line naming the bad argument.
hps::Result<Invocation, std::string> parse_options(std::span<const std::string_view> args);

std::string usage_text();

} // namespace hpsd
