// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/cli.hpp"

#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

using hpsctl::Command;
using hpsctl::Environment;
using hpsctl::Format;
using hpsctl::parse_cli;

namespace {

using Args = std::vector<std::string_view>;

hps::Result<Command, std::string> parse(Args args, Environment env = {})
{
	return parse_cli(args, env);
}

Command parsed(Args args, Environment env = {})
{
	auto r = parse(std::move(args), std::move(env));
	INFO((r.ok() ? std::string() : r.error()));
	REQUIRE(r.ok());
	return std::move(r).value();
}

std::string error_of(Args args, Environment env = {})
{
	auto r = parse(std::move(args), std::move(env));
	REQUIRE_FALSE(r.ok());
	CHECK(r.error().find('\n') == std::string::npos);
	return r.error();
}

std::string help_of(Args args)
{
	auto c = parsed(std::move(args));
	REQUIRE(std::holds_alternative<hpsctl::ShowHelp>(c.action));
	return std::get<hpsctl::ShowHelp>(c.action).text;
}

bool contains(const std::string& text, std::string_view part)
{
	return text.find(part) != std::string::npos;
}

// A table with a noun that has verbs, as later commands will.
std::vector<hpsctl::CommandSpec> noun_table()
{
	return {
		{{"status"}, "", "show status", "Status.\n", hpsctl::CommandId::status},
		{{"volume", "list"}, "", "list volumes", "Lists.\n", hpsctl::CommandId::status},
		{{"volume", "show"}, "NAME", "show a volume", "Shows.\n", hpsctl::CommandId::status},
	};
}

} // namespace

TEST_CASE("hpsctl cli: status with defaults", "[hpsctl]")
{
	auto c = parsed({"status"});
	REQUIRE(std::holds_alternative<hpsctl::RunCommand>(c.action));
	const auto& run = std::get<hpsctl::RunCommand>(c.action);
	CHECK(run.id == hpsctl::CommandId::status);
	CHECK(run.name == "status");
	CHECK(run.operands.empty());
	CHECK(c.options.socket == "/run/hps/hpsd.sock");
	CHECK(c.options.format == Format::table);
	CHECK(c.options.timeout == std::chrono::seconds(10));
}

TEST_CASE("hpsctl cli: options go before or after the command, spaced or with =", "[hpsctl]")
{
	auto before = parsed({"--socket", "/tmp/s.sock", "--format", "json", "--timeout", "3", "status"});
	CHECK(before.options.socket == "/tmp/s.sock");
	CHECK(before.options.format == Format::json);
	CHECK(before.options.timeout == std::chrono::seconds(3));

	auto after = parsed({"status", "--format=json", "--socket=/tmp/t.sock", "--timeout=3600"});
	CHECK(after.options.socket == "/tmp/t.sock");
	CHECK(after.options.format == Format::json);
	CHECK(after.options.timeout == std::chrono::seconds(3600));

	CHECK(parsed({"status", "--format", "table"}).options.format == Format::table);
}

TEST_CASE("hpsctl cli: the socket comes from --socket, else HPS_SOCKET, else the default", "[hpsctl]")
{
	Environment env{"/tmp/env.sock"};
	CHECK(parsed({"status"}, env).options.socket == "/tmp/env.sock");
	CHECK(parsed({"--socket", "/tmp/cli.sock", "status"}, env).options.socket == "/tmp/cli.sock");
	CHECK(parsed({"status"}, Environment{""}).options.socket == "/run/hps/hpsd.sock");
	CHECK(error_of({"status"}, Environment{std::string(200, 'x')})
		      .starts_with("HPS_SOCKET: \"xxx"));
}

TEST_CASE("hpsctl cli: --help at every level", "[hpsctl]")
{
	for (Args args : {Args{"--help"}, Args{"-h"}, Args{"--format", "json", "--help"}}) {
		std::string text = help_of(args);
		CHECK(text.starts_with("Usage: hpsctl [OPTIONS] <noun> <verb> [ARGS]\n"));
		CHECK(contains(text, "\n  status "));
		CHECK(contains(text, "--format FORMAT"));
		CHECK(contains(text, "HPS_SOCKET"));
		CHECK(contains(text, "Exit codes:"));
		CHECK(contains(text, "  11  hpsd unreachable"));
	}
	for (Args args : {Args{"status", "--help"}, Args{"status", "-h"}, Args{"--help", "status"}}) {
		std::string text = help_of(args);
		CHECK(text.starts_with("Usage: hpsctl [OPTIONS] status\n"));
		CHECK(contains(text, "dm-hps ABI"));
		CHECK(contains(text, "Exit codes:"));
	}
}

TEST_CASE("hpsctl cli: --version", "[hpsctl]")
{
	CHECK(std::holds_alternative<hpsctl::ShowVersion>(parsed({"--version"}).action));
	CHECK(std::holds_alternative<hpsctl::ShowVersion>(parsed({"-V"}).action));
	CHECK(std::holds_alternative<hpsctl::ShowVersion>(parsed({"status", "--version"}).action));
}

TEST_CASE("hpsctl cli: a missing or unknown command is an error", "[hpsctl]")
{
	CHECK(error_of({}) == "missing command (try 'hpsctl --help')");
	CHECK(error_of({"--format", "json"}) == "missing command (try 'hpsctl --help')");
	CHECK(error_of({"stats"}) == "unknown command \"stats\" (try 'hpsctl --help')");
	CHECK(error_of({"stats", "--help"}) == "unknown command \"stats\" (try 'hpsctl --help')");
	CHECK(error_of({"status", "now"}) == "unexpected argument \"now\" after \"status\"");
	CHECK(error_of({"--", "--help"}) == "unknown command \"--help\" (try 'hpsctl --help')");
}

TEST_CASE("hpsctl cli: \"--\" ends the options", "[hpsctl]")
{
	auto c = parsed({"--format", "json", "--", "status"});
	CHECK(std::holds_alternative<hpsctl::RunCommand>(c.action));
	CHECK(c.options.format == Format::json);
}

TEST_CASE("hpsctl cli: unknown options are errors naming them", "[hpsctl]")
{
	CHECK(error_of({"--verbose", "status"}) == "unknown option \"--verbose\" (try 'hpsctl --help')");
	CHECK(error_of({"status", "-x"}) == "unknown option \"-x\" (try 'hpsctl --help')");
	CHECK(error_of({"--help=yes"}) == "--help takes no value");
}

TEST_CASE("hpsctl cli: --format accepts table and json only", "[hpsctl]")
{
	CHECK(error_of({"--format", "xml", "status"}) == "--format: \"xml\" is not one of table, json");
	CHECK(error_of({"--format=", "status"}) == "--format: \"\" is not one of table, json");
	CHECK(error_of({"--format", "JSON", "status"}) == "--format: \"JSON\" is not one of table, json");
}

TEST_CASE("hpsctl cli: options that need a value say so", "[hpsctl]")
{
	CHECK(error_of({"status", "--format"}) == "--format needs a value (table or json)");
	CHECK(error_of({"status", "--socket"}) == "--socket needs a path");
	CHECK(error_of({"status", "--timeout"}) == "--timeout needs a number of seconds");
}

TEST_CASE("hpsctl cli: --timeout is whole seconds 1..3600", "[hpsctl]")
{
	for (std::string_view bad : {"0", "3601", "-1", "1.5", "abc", "", "10s"}) {
		INFO("value: " << bad);
		CHECK(error_of({"--timeout", bad, "status"}) ==
		      "--timeout: \"" + std::string(bad) + "\" is not a whole number of seconds 1..3600");
	}
	CHECK(parsed({"--timeout", "1", "status"}).options.timeout == std::chrono::seconds(1));
}

TEST_CASE("hpsctl cli: --socket must be a usable socket path", "[hpsctl]")
{
	CHECK(error_of({"--socket", "", "status"}) == "--socket: the socket path is empty");
	CHECK(contains(error_of({"--socket", std::string(108, 's'), "status"}),
		       "is longer than 107 bytes, the limit of a UNIX socket path"));
	CHECK(parsed({"--socket", std::string(107, 's'), "status"}).options.socket.size() == 107);
}

TEST_CASE("hpsctl cli: nouns with verbs", "[hpsctl]")
{
	auto table = noun_table();
	auto p = [&](Args args) { return parse_cli(args, {}, table); };

	auto run = p({"volume", "show", "vol1"});
	REQUIRE(run.ok());
	const auto& command = std::get<hpsctl::RunCommand>(run->action);
	CHECK(command.name == "volume show");
	CHECK(command.operands == std::vector<std::string>{"vol1"});

	CHECK(p({"volume"}).error() ==
	      "\"volume\" needs a verb: list, show (try 'hpsctl volume --help')");
	CHECK(p({"volume", "grow"}).error() == "unknown verb \"grow\" for \"volume\" (one of: list, show)");
	CHECK(p({"volume", "list", "x"}).error() == "unexpected argument \"x\" after \"volume list\"");

	auto noun_help = p({"volume", "--help"});
	REQUIRE(noun_help.ok());
	std::string text = std::get<hpsctl::ShowHelp>(noun_help->action).text;
	CHECK(text.starts_with("Usage: hpsctl [OPTIONS] volume <verb> [ARGS]\n"));
	CHECK(contains(text, "  volume list   list volumes\n"));
	CHECK(contains(text, "  volume show   show a volume\n"));
	CHECK_FALSE(contains(text, "status"));

	auto verb_help = p({"volume", "show", "--help"});
	REQUIRE(verb_help.ok());
	CHECK(std::get<hpsctl::ShowHelp>(verb_help->action)
		      .text.starts_with("Usage: hpsctl [OPTIONS] volume show NAME\n"));

	auto top_help = p({"--help"});
	REQUIRE(top_help.ok());
	CHECK(contains(std::get<hpsctl::ShowHelp>(top_help->action).text, "  volume show   show a volume\n"));
}
