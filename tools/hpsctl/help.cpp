// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/help.hpp"

#include <algorithm>

namespace hpsctl {
namespace {

constexpr std::string_view options_text =
	"Options (accepted before or after the command):\n"
	"  --socket PATH     hpsd's control socket (default: $HPS_SOCKET if set,\n"
	"                    else /run/hps/hpsd.sock)\n"
	"  --format FORMAT   output: table (default, for people) or json (for programs)\n"
	"  --timeout SECS    how long to wait for hpsd, 1..3600 (default 10)\n"
	"  -h, --help        show help for hpsctl, a noun or a command\n"
	"  -V, --version     print hpsctl's version\n";

constexpr std::string_view exit_codes_text =
	"Exit codes:\n"
	"  0   ok\n"
	"  1   failure\n"
	"  2   bad arguments (or parameters hpsd rejected)\n"
	"  3   not found\n"
	"  5   illegal state\n"
	"  11  hpsd unreachable (not running, no socket, or no answer in time)\n";

bool starts_with_words(const CommandSpec& spec, std::span<const std::string_view> words)
{
	return spec.words.size() >= words.size() &&
	       std::equal(words.begin(), words.end(), spec.words.begin());
}

std::string command_list(std::span<const CommandSpec> commands,
			 std::span<const std::string_view> group)
{
	std::size_t width = 0;
	for (const auto& spec : commands)
		if (starts_with_words(spec, group))
			width = std::max(width, command_name(spec).size());
	std::string text;
	for (const auto& spec : commands) {
		if (!starts_with_words(spec, group))
			continue;
		std::string name = command_name(spec);
		text += "  " + name + std::string(width - name.size() + 3, ' ') +
			std::string(spec.summary) + "\n";
	}
	return text;
}

} // namespace

std::string main_help(std::span<const CommandSpec> commands)
{
	return "Usage: hpsctl [OPTIONS] <noun> <verb> [ARGS]\n"
	       "\n"
	       "Administers hps, the replicated NVMe write-back cache in front of Ceph\n"
	       "RBD, by talking to this node's hpsd over its control socket.\n"
	       "\n"
	       "Commands:\n" +
	       command_list(commands, {}) + "\n" + std::string(options_text) + "\n" +
	       "Environment:\n"
	       "  HPS_SOCKET        control socket path, when --socket is not given\n"
	       "\n" +
	       std::string(exit_codes_text) + "\n" +
	       "Run 'hpsctl <command> --help' for help on a command.\n";
}

std::string group_help(std::span<const CommandSpec> commands,
		       std::span<const std::string_view> group)
{
	std::string name = join_words(group);
	return "Usage: hpsctl [OPTIONS] " + name + " <verb> [ARGS]\n\n" + "Commands:\n" +
	       command_list(commands, group) + "\n" + std::string(options_text) + "\n" +
	       "Run 'hpsctl " + name + " <verb> --help' for help on a command.\n";
}

std::string command_help(const CommandSpec& spec)
{
	std::string usage = "Usage: hpsctl [OPTIONS] " + command_name(spec);
	if (!spec.args.empty())
		usage += " " + std::string(spec.args);
	std::string own;
	for (const auto& option : spec.options) {
		std::string head = "  " + std::string(option.name);
		if (!option.value.empty())
			head += " " + std::string(option.value);
		head.resize(std::max<std::size_t>(head.size() + 2, 20), ' ');
		// Continuation lines of the help line up under its first.
		std::string help(option.help);
		for (std::size_t at = help.find('\n'); at != std::string::npos;
		     at = help.find('\n', at + 1))
			help.insert(at + 1, std::string(head.size(), ' '));
		own += head + help + "\n";
	}
	if (!own.empty()) {
		usage += " [OPTIONS]";
		own = "Options of this command:\n" + own + "\n";
	}
	return usage + "\n\n" + std::string(spec.description) + "\n" + own + std::string(options_text) +
	       "\n" + std::string(exit_codes_text);
}

} // namespace hpsctl
