// SPDX-License-Identifier: GPL-2.0-only
// hps-logreplay's command line.  Parsing is a pure function of the
// arguments; whether --to or --to-mark exists in the log is checked when
// the command runs.
#pragma once

#include "util/result.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace hps::logreplay {

enum class Format { table, json };

struct ListCommand {
	std::string log;
	Format format = Format::table;
};

struct PointsCommand {
	std::string log;
	Format format = Format::table;
	unsigned between = 0;
};

struct ReplayCommand {
	std::string log;
	std::string dev;
	std::optional<std::uint64_t> to;      // --to ENTRY
	std::optional<std::string> to_mark;   // --to-mark NAME
	std::optional<std::uint64_t> from;    // --from ENTRY
	bool from_start = false;	      // --from-start
	bool verify = false;		      // --verify
};

struct ShowHelp {
	std::string text;
};
struct ShowVersion {};

using Command = std::variant<ShowHelp, ShowVersion, ListCommand, PointsCommand, ReplayCommand>;

// `args` excludes argv[0].  The error is one line naming the bad argument
// or value (exit code 2).
Result<Command, std::string> parse_cli(std::span<const std::string_view> args);

} // namespace hps::logreplay
