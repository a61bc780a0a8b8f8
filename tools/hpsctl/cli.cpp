// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/cli.hpp"

#include "hpsctl/help.hpp"
#include "util/unix_socket.hpp"

#include <algorithm>
#include <charconv>

namespace hpsctl {
namespace {

constexpr std::string_view try_help = " (try 'hpsctl --help')";

std::string quoted(std::string_view text)
{
	return "\"" + std::string(text) + "\"";
}

hps::Result<Format, std::string> parse_format(std::string_view value)
{
	if (value == "table")
		return Format::table;
	if (value == "json")
		return Format::json;
	return hps::fail("--format: " + quoted(value) + " is not one of table, json");
}

hps::Result<std::chrono::seconds, std::string> parse_timeout(std::string_view value)
{
	long seconds = 0;
	auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
	if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || seconds < 1 ||
	    seconds > max_timeout_s)
		return hps::fail("--timeout: " + quoted(value) + " is not a whole number of seconds 1.." +
				 std::to_string(max_timeout_s));
	return std::chrono::seconds(seconds);
}

hps::Result<std::string, std::string> check_socket(std::string_view value, std::string_view source)
{
	if (value.empty())
		return hps::fail(std::string(source) + ": the socket path is empty");
	if (value.size() > hps::unix_path_max())
		return hps::fail(std::string(source) + ": " + quoted(value) + " is longer than " +
				 std::to_string(hps::unix_path_max()) +
				 " bytes, the limit of a UNIX socket path");
	return std::string(value);
}

// Number of leading `words` that match the start of some command.
std::size_t known_prefix(std::span<const CommandSpec> commands,
			 std::span<const std::string_view> words)
{
	std::size_t best = 0;
	for (const auto& spec : commands) {
		std::size_t n = 0;
		while (n < words.size() && n < spec.words.size() && spec.words[n] == words[n])
			++n;
		best = std::max(best, n);
	}
	return best;
}

std::string verbs_under(std::span<const CommandSpec> commands,
			std::span<const std::string_view> group)
{
	std::string verbs;
	for (const auto& spec : commands) {
		if (spec.words.size() <= group.size() ||
		    !std::equal(group.begin(), group.end(), spec.words.begin()))
			continue;
		std::string_view verb = spec.words[group.size()];
		if (verbs.find(std::string(verb)) == std::string::npos)
			verbs += (verbs.empty() ? "" : ", ") + std::string(verb);
	}
	return verbs;
}

// The option of that name in any command: spellings are shared, so the
// parser knows whether it takes a value before it knows the command.
const OptionSpec* find_command_option(std::span<const CommandSpec> commands, std::string_view name)
{
	for (const auto& spec : commands)
		for (const auto& option : spec.options)
			if (option.name == name)
				return &option;
	return nullptr;
}

// Operands the usage line asks for: words of `args`, optional ones in [].
std::pair<std::size_t, std::size_t> operand_bounds(std::string_view args)
{
	std::size_t required = 0;
	std::size_t total = 0;
	std::size_t i = 0;
	while (i < args.size()) {
		while (i < args.size() && args[i] == ' ')
			++i;
		if (i >= args.size())
			break;
		++total;
		if (args[i] != '[')
			++required;
		while (i < args.size() && args[i] != ' ')
			++i;
	}
	return {required, total};
}

} // namespace

hps::Result<Command, std::string> parse_cli(std::span<const std::string_view> args,
					     const Environment& env,
					     std::span<const CommandSpec> commands)
{
	Command command{Options{}, ShowVersion{}};
	Options& options = command.options;
	bool help = false;
	bool version = false;
	bool socket_given = false;
	bool options_done = false;
	std::vector<std::string_view> words;
	std::vector<std::pair<std::string, std::string>> command_options;

	for (std::size_t i = 0; i < args.size(); ++i) {
		std::string_view arg = args[i];
		if (options_done || arg == "-" || !arg.starts_with('-')) {
			words.push_back(arg);
			continue;
		}
		if (arg == "--") {
			options_done = true;
			continue;
		}

		std::string_view name = arg;
		std::optional<std::string_view> value;
		if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
			name = arg.substr(0, eq);
			value = arg.substr(eq + 1);
		}

		if (name == "--socket" || name == "--format" || name == "--timeout") {
			if (!value && i + 1 < args.size())
				value = args[++i];
			if (!value) {
				std::string what = name == "--socket"	? "a path"
						   : name == "--format" ? "a value (table or json)"
									: "a number of seconds";
				return hps::fail(std::string(name) + " needs " + what);
			}
			if (name == "--socket") {
				auto socket = check_socket(*value, "--socket");
				if (!socket)
					return hps::fail(socket.error());
				options.socket = *socket;
				socket_given = true;
			} else if (name == "--format") {
				auto format = parse_format(*value);
				if (!format)
					return hps::fail(format.error());
				options.format = *format;
			} else {
				auto timeout = parse_timeout(*value);
				if (!timeout)
					return hps::fail(timeout.error());
				options.timeout = *timeout;
			}
			continue;
		}
		if (const OptionSpec* option = find_command_option(commands, name)) {
			if (!option->value.empty()) {
				if (!value && i + 1 < args.size())
					value = args[++i];
				if (!value)
					return hps::fail(std::string(name) + " needs a value (" +
							 std::string(option->value) + ")");
			} else if (value) {
				return hps::fail(std::string(name) + " takes no value");
			}
			command_options.emplace_back(name, value.value_or(""));
			continue;
		}
		if (value)
			return hps::fail(std::string(name) + " takes no value");
		if (name == "-h" || name == "--help")
			help = true;
		else if (name == "-V" || name == "--version")
			version = true;
		else
			return hps::fail("unknown option " + quoted(name) + std::string(try_help));
	}

	if (!socket_given && env.hps_socket && !env.hps_socket->empty()) {
		auto socket = check_socket(*env.hps_socket, "HPS_SOCKET");
		if (!socket)
			return hps::fail(socket.error());
		options.socket = *socket;
	}

	if (words.empty()) {
		if (help) {
			command.action = ShowHelp{main_help(commands)};
			return command;
		}
		if (version)
			return command; // action is ShowVersion already
		return hps::fail("missing command" + std::string(try_help));
	}

	// The command whose words start `words` (the longest such, should one
	// command's words ever be a prefix of another's).
	const CommandSpec* match = nullptr;
	for (const auto& spec : commands) {
		if (spec.words.size() <= words.size() &&
		    std::equal(spec.words.begin(), spec.words.end(), words.begin()) &&
		    (!match || spec.words.size() > match->words.size()))
			match = &spec;
	}

	if (!match) {
		std::size_t known = known_prefix(commands, words);
		auto group = std::span<const std::string_view>(words).first(known);
		if (known == words.size()) {
			// Only a noun (or part of a command): help lists its verbs.
			if (help) {
				command.action = ShowHelp{group_help(commands, group)};
				return command;
			}
			return hps::fail(quoted(join_words(group)) + " needs a verb: " +
					 verbs_under(commands, group) + " (try 'hpsctl " +
					 join_words(group) + " --help')");
		}
		if (known == 0)
			return hps::fail("unknown command " + quoted(words[0]) + std::string(try_help));
		return hps::fail("unknown verb " + quoted(words[known]) + " for " + quoted(join_words(group)) +
				 " (one of: " + verbs_under(commands, group) + ")");
	}

	if (help) {
		command.action = ShowHelp{command_help(*match)};
		return command;
	}
	if (version)
		return command;

	RunCommand run{match->id, command_name(*match), {}, {}};
	for (std::size_t i = match->words.size(); i < words.size(); ++i)
		run.operands.emplace_back(words[i]);
	const auto [required, total] = operand_bounds(match->args);
	if (run.operands.size() > total)
		return hps::fail("unexpected argument " + quoted(run.operands[total]) + " after " +
				 quoted(run.name));
	if (run.operands.size() < required)
		return hps::fail(quoted(run.name) + " needs " + std::string(match->args) +
				 " (try 'hpsctl " + run.name + " --help')");
	for (auto& [name, value] : command_options) {
		bool known = std::any_of(match->options.begin(), match->options.end(),
					 [&](const OptionSpec& o) { return o.name == name; });
		if (!known)
			return hps::fail(name + " is not an option of " + quoted(run.name) +
					 " (try 'hpsctl " + run.name + " --help')");
		if (run.options.contains(name))
			return hps::fail(name + " is given twice");
		run.options.emplace(name, value);
	}
	command.action = std::move(run);
	return command;
}

std::string option(const RunCommand& command, std::string_view name)
{
	auto it = command.options.find(name);
	return it == command.options.end() ? std::string() : it->second;
}

} // namespace hpsctl
