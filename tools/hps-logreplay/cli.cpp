// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/cli.hpp"

#include "hps-logreplay/help.hpp"
#include "hps-logreplay/points.hpp"

#include <charconv>
#include <vector>

namespace hps::logreplay {
namespace {

std::string try_help() { return " (try 'hps-logreplay --help')"; }

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool is_help(std::string_view a) { return a == "-h" || a == "--help"; }

Result<std::uint64_t, std::string> parse_number(std::string_view option, std::string_view value,
						 std::uint64_t max)
{
	std::uint64_t n = 0;
	auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
	if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || n > max)
		return fail(std::string(option) + ": " + quoted(value) + " is not a whole number 0.." +
			    std::to_string(max));
	return n;
}

Result<Format, std::string> parse_format(std::string_view value)
{
	if (value == "table")
		return Format::table;
	if (value == "json")
		return Format::json;
	return fail("--format: " + quoted(value) + " is not one of table, json");
}

// Splits a command's words into options (with their values) and operands.
struct Word {
	std::string_view name;	// "--to" for an option, empty for an operand
	std::string_view value; // the option's value or the operand
};

Result<std::vector<Word>, std::string> split(std::string_view command, std::span<const std::string_view> args,
					     std::span<const std::string_view> valued,
					     std::span<const std::string_view> flags)
{
	std::vector<Word> words;
	bool operands_only = false;
	for (std::size_t i = 0; i < args.size(); ++i) {
		std::string_view a = args[i];
		if (operands_only || !a.starts_with("-") || a == "-") {
			words.push_back({{}, a});
			continue;
		}
		if (a == "--") {
			operands_only = true;
			continue;
		}
		std::string_view name = a;
		std::optional<std::string_view> inline_value;
		if (auto eq = a.find('='); a.starts_with("--") && eq != std::string_view::npos) {
			name = a.substr(0, eq);
			inline_value = a.substr(eq + 1);
		}
		bool takes_value = false;
		bool known = false;
		for (auto v : valued)
			if (v == name)
				known = takes_value = true;
		for (auto f : flags)
			if (f == name)
				known = true;
		if (!known)
			return fail(std::string(command) + ": unknown option " + quoted(name) + try_help());
		if (!takes_value) {
			if (inline_value)
				return fail(std::string(name) + " takes no value");
			words.push_back({name, {}});
		} else if (inline_value) {
			words.push_back({name, *inline_value});
		} else if (i + 1 < args.size()) {
			words.push_back({name, args[++i]});
		} else {
			return fail(std::string(name) + " needs a value");
		}
	}
	return words;
}

Result<void, std::string> take_operands(std::string_view command, const std::vector<Word>& words,
					std::span<std::string* const> out, std::string_view names)
{
	std::size_t n = 0;
	for (const auto& w : words) {
		if (!w.name.empty())
			continue;
		if (n == out.size())
			return fail(std::string(command) + ": unexpected argument " + quoted(w.value) + try_help());
		*out[n++] = std::string(w.value);
	}
	if (n < out.size())
		return fail(std::string(command) + ": missing " + std::string(names) + try_help());
	for (const std::string* s : out)
		if (s->empty())
			return fail(std::string(command) + ": an empty path" + try_help());
	return {};
}

Result<void, std::string> once(std::vector<std::string_view>& seen, std::string_view name)
{
	for (auto s : seen)
		if (s == name)
			return fail(std::string(name) + " given twice");
	seen.push_back(name);
	return {};
}

Result<Command, std::string> parse_list(std::span<const std::string_view> args)
{
	static constexpr std::string_view valued[] = {"--format"};
	auto words = split("list", args, valued, {});
	if (!words)
		return fail(words.error());
	ListCommand c;
	std::vector<std::string_view> seen;
	for (const auto& w : *words) {
		if (w.name.empty())
			continue;
		if (auto r = once(seen, w.name); !r)
			return fail(r.error());
		auto f = parse_format(w.value);
		if (!f)
			return fail(f.error());
		c.format = *f;
	}
	std::string* ops[] = {&c.log};
	if (auto r = take_operands("list", *words, ops, "LOG"); !r)
		return fail(r.error());
	return Command(c);
}

Result<Command, std::string> parse_points(std::span<const std::string_view> args)
{
	static constexpr std::string_view valued[] = {"--format", "--between"};
	auto words = split("points", args, valued, {});
	if (!words)
		return fail(words.error());
	PointsCommand c;
	std::vector<std::string_view> seen;
	for (const auto& w : *words) {
		if (w.name.empty())
			continue;
		if (auto r = once(seen, w.name); !r)
			return fail(r.error());
		if (w.name == "--format") {
			auto f = parse_format(w.value);
			if (!f)
				return fail(f.error());
			c.format = *f;
		} else {
			auto n = parse_number(w.name, w.value, max_between);
			if (!n)
				return fail(n.error());
			c.between = static_cast<unsigned>(*n);
		}
	}
	std::string* ops[] = {&c.log};
	if (auto r = take_operands("points", *words, ops, "LOG"); !r)
		return fail(r.error());
	return Command(c);
}

Result<Command, std::string> parse_replay(std::span<const std::string_view> args)
{
	static constexpr std::string_view valued[] = {"--to", "--to-mark", "--from"};
	static constexpr std::string_view flags[] = {"--from-start", "--verify"};
	auto words = split("replay", args, valued, flags);
	if (!words)
		return fail(words.error());
	ReplayCommand c;
	std::vector<std::string_view> seen;
	constexpr std::uint64_t max_entry = UINT64_MAX - 1;
	for (const auto& w : *words) {
		if (w.name.empty())
			continue;
		if (auto r = once(seen, w.name); !r)
			return fail(r.error());
		if (w.name == "--to" || w.name == "--from") {
			auto n = parse_number(w.name, w.value, max_entry);
			if (!n)
				return fail(n.error());
			(w.name == "--to" ? c.to : c.from) = *n;
		} else if (w.name == "--to-mark") {
			if (w.value.empty())
				return fail(std::string("--to-mark: the mark name is empty"));
			c.to_mark = std::string(w.value);
		} else if (w.name == "--from-start") {
			c.from_start = true;
		} else {
			c.verify = true;
		}
	}
	std::string* ops[] = {&c.log, &c.dev};
	if (auto r = take_operands("replay", *words, ops, "LOG and DEV"); !r)
		return fail(r.error());
	if (c.to && c.to_mark)
		return fail("replay: --to and --to-mark exclude each other" + try_help());
	if (!c.to && !c.to_mark)
		return fail("replay: needs --to ENTRY or --to-mark NAME" + try_help());
	if (c.from && c.from_start)
		return fail("replay: --from and --from-start exclude each other" + try_help());
	if (c.verify && (c.from || c.from_start))
		return fail(std::string("replay: --verify writes nothing; it takes neither --from nor --from-start"));
	if (c.from && c.to && *c.from > *c.to)
		return fail("replay: --from " + std::to_string(*c.from) + " is after --to " + std::to_string(*c.to));
	return Command(c);
}

} // namespace

Result<Command, std::string> parse_cli(std::span<const std::string_view> args)
{
	if (args.empty())
		return fail("no command given" + try_help());
	std::string_view first = args.front();
	if (is_help(first))
		return Command(ShowHelp{main_help()});
	if (first == "-V" || first == "--version")
		return Command(ShowVersion{});
	auto rest = args.subspan(1);
	for (auto a : rest) {
		if (a == "--")
			break;
		if (is_help(a)) {
			if (first == "list")
				return Command(ShowHelp{list_help()});
			if (first == "points")
				return Command(ShowHelp{points_help()});
			if (first == "replay")
				return Command(ShowHelp{replay_help()});
			break;
		}
	}
	if (first == "list")
		return parse_list(rest);
	if (first == "points")
		return parse_points(rest);
	if (first == "replay")
		return parse_replay(rest);
	if (first.starts_with("-"))
		return fail("unknown option " + quoted(first) + try_help());
	return fail("unknown command " + quoted(first) + " (one of list, points, replay)" + try_help());
}

} // namespace hps::logreplay
