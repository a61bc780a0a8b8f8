// SPDX-License-Identifier: GPL-2.0-only
// hpsctl's help texts, generated from the command table.
#pragma once

#include "hpsctl/commands.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hpsctl {

// `hpsctl --help`: commands, options, environment, exit codes.
std::string main_help(std::span<const CommandSpec> commands);

// `hpsctl <noun> --help`: the verbs under the words `group`.
std::string group_help(std::span<const CommandSpec> commands,
		       std::span<const std::string_view> group);

// `hpsctl <noun> <verb> --help`.
std::string command_help(const CommandSpec& spec);

} // namespace hpsctl
