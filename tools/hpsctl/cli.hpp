// SPDX-License-Identifier: GPL-2.0-only
// hpsctl's command line: `hpsctl [OPTIONS] <noun> <verb> ...`.  Parsing is a
// pure function of the arguments, the environment and the command table.
#pragma once

#include "hpsctl/commands.hpp"
#include "util/result.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hpsctl {

enum class Format { table, json };

inline constexpr const char* default_socket = "/run/hps/hpsd.sock";
inline constexpr std::chrono::seconds default_timeout{10};
inline constexpr long max_timeout_s = 3600;

struct Options {
	std::string socket = default_socket;
	Format format = Format::table;
	std::chrono::seconds timeout = default_timeout;
};

// The parts of the environment hpsctl reads.
struct Environment {
	std::optional<std::string> hps_socket; // $HPS_SOCKET
};

struct ShowHelp {
	std::string text;
};
struct ShowVersion {};
struct RunCommand {
	CommandId id;
	std::string name;		   // "status"
	std::vector<std::string> operands; // words after the command's own
	// The command's own options given: "--size" -> "10G", "--force" -> "".
	std::map<std::string, std::string, std::less<>> options;
};
// The value of option `name` ("--size"), empty when it was not given.
std::string option(const RunCommand& command, std::string_view name);

struct Command {
	Options options;
	std::variant<ShowHelp, ShowVersion, RunCommand> action;
};

// `args` excludes argv[0].  Options are accepted anywhere before "--".
// The error is one line naming the bad argument or value (exit code 2).
hps::Result<Command, std::string> parse_cli(std::span<const std::string_view> args,
					     const Environment& env,
					     std::span<const CommandSpec> commands = builtin_commands());

} // namespace hpsctl
