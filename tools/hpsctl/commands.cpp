// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/commands.hpp"

namespace hpsctl {

std::span<const CommandSpec> builtin_commands()
{
	static const std::vector<CommandSpec> table{
		{{"status"},
		 "",
		 "show this node's hpsd, kernel module ABI and cache disks",
		 "Shows the hpsd on this node: node name, version, pid, uptime, config\n"
		 "file, the dm-hps ABI version hpsd was built for and the one the loaded\n"
		 "kernel module speaks (hpsd drives the module only when they match),\n"
		 "the configured cache disks and the replication transport.\n",
		 CommandId::status},
	};
	return table;
}

std::string join_words(std::span<const std::string_view> words)
{
	std::string text;
	for (auto word : words)
		text += (text.empty() ? "" : " ") + std::string(word);
	return text;
}

std::string command_name(const CommandSpec& spec)
{
	return join_words(spec.words);
}

} // namespace hpsctl
