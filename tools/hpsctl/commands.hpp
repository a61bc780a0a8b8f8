// SPDX-License-Identifier: GPL-2.0-only
// The commands hpsctl knows: their words, help texts and what runs them.
// The parser and the help printer both work from this table, so adding a
// command is adding an entry (and its runner in run.cpp).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hpsctl {

enum class CommandId { status };

struct CommandSpec {
	std::vector<std::string_view> words; // {"status"}, later {"volume", "create"}, ...
	std::string_view args;		     // operands after the words, for the usage line
	std::string_view summary;	     // one line, for the command list
	std::string_view description;	     // paragraphs for `<command> --help`
	CommandId id;
};

// The table of real commands.
std::span<const CommandSpec> builtin_commands();

// {"volume", "create"} -> "volume create"
std::string join_words(std::span<const std::string_view> words);
std::string command_name(const CommandSpec& spec);

} // namespace hpsctl
