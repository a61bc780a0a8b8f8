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

enum class CommandId {
	status,
	pool_list,
	pool_show,
	volume_create,
	volume_list,
	volume_show,
	volume_delete,
	volume_flush,
	volume_promote,
	volume_attach,
	volume_detach,
	host_add,
	host_list,
	host_remove,
};

// An option of one command (--size SIZE, --force).  One spelling means the
// same thing, with or without a value, in every command that has it.
struct OptionSpec {
	std::string_view name;	// "--size"
	std::string_view value; // "SIZE" for the help; empty: a flag
	std::string_view help;
};

struct CommandSpec {
	std::vector<std::string_view> words; // {"status"}, later {"volume", "create"}, ...
	std::string_view args;		     // operands after the words, for the usage line
	std::string_view summary;	     // one line, for the command list
	std::string_view description;	     // paragraphs for `<command> --help`
	CommandId id;
	std::vector<OptionSpec> options = {}; // the command's own options
};

// The table of real commands.
std::span<const CommandSpec> builtin_commands();

// {"volume", "create"} -> "volume create"
std::string join_words(std::span<const std::string_view> words);
std::string command_name(const CommandSpec& spec);

} // namespace hpsctl
