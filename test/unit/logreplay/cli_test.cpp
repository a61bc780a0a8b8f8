// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/cli.hpp"
#include "hps-logreplay/run.hpp"
#include "logreplay/log_writer.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

using namespace hps::logreplay;
using hps::logreplay::test::sample_log;
using hps::test::TempDir;

namespace {

using Args = std::vector<std::string_view>;

Command parsed(Args args)
{
	auto r = parse_cli(args);
	INFO((r.ok() ? std::string() : r.error()));
	REQUIRE(r.ok());
	return std::move(r).value();
}

std::string error_of(Args args)
{
	auto r = parse_cli(args);
	REQUIRE_FALSE(r.ok());
	CHECK(r.error().find('\n') == std::string::npos);
	return r.error();
}

std::string help_of(Args args)
{
	auto c = parsed(std::move(args));
	REQUIRE(std::holds_alternative<ShowHelp>(c));
	return std::get<ShowHelp>(c).text;
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

void write_bytes(const std::string& path, const std::vector<std::byte>& v)
{
	std::ofstream out(path, std::ios::binary | std::ios::trunc);
	out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size()));
}

struct Ran {
	int code;
	std::string out;
	std::string err;
};

Ran run(Args args)
{
	auto c = parsed(std::move(args));
	std::ostringstream out;
	std::ostringstream err;
	int code = 0;
	if (const auto* l = std::get_if<ListCommand>(&c))
		code = run_list(*l, out, err);
	else if (const auto* p = std::get_if<PointsCommand>(&c))
		code = run_points(*p, out, err);
	else
		code = run_replay(std::get<ReplayCommand>(c), out, err);
	return {code, out.str(), err.str()};
}

} // namespace

TEST_CASE("logreplay cli: help at every level")
{
	CHECK(contains(help_of({"--help"}), "Usage: hps-logreplay COMMAND"));
	CHECK(contains(help_of({"-h"}), "Exit codes"));
	CHECK(contains(help_of({"list", "--help"}), "Usage: hps-logreplay list LOG"));
	CHECK(contains(help_of({"points", "-h"}), "--between N"));
	CHECK(contains(help_of({"replay", "--help"}), "--to-mark NAME"));
	// --help wins over other errors in the same command.
	CHECK(contains(help_of({"replay", "--bogus", "--help"}), "Usage: hps-logreplay replay"));
	CHECK(std::holds_alternative<ShowVersion>(parsed({"--version"})));
}

TEST_CASE("logreplay cli: parses the commands")
{
	auto l = std::get<ListCommand>(parsed({"list", "/dev/log", "--format", "json"}));
	CHECK(l.log == "/dev/log");
	CHECK(l.format == Format::json);
	CHECK(std::get<ListCommand>(parsed({"list", "--format=table", "x"})).format == Format::table);

	auto p = std::get<PointsCommand>(parsed({"points", "L", "--between", "3"}));
	CHECK(p.log == "L");
	CHECK(p.between == 3);
	CHECK(p.format == Format::table);

	auto r = std::get<ReplayCommand>(parsed({"replay", "L", "D", "--to", "12", "--from", "4"}));
	CHECK(r.log == "L");
	CHECK(r.dev == "D");
	CHECK(r.to == std::optional<std::uint64_t>(12));
	CHECK(r.from == std::optional<std::uint64_t>(4));
	CHECK_FALSE(r.from_start);
	CHECK_FALSE(r.verify);
	r = std::get<ReplayCommand>(parsed({"replay", "--to-mark", "m 1", "L", "D", "--from-start"}));
	CHECK(r.to_mark == std::optional<std::string>("m 1"));
	CHECK(r.from_start);
	r = std::get<ReplayCommand>(parsed({"replay", "L", "D", "--to-mark=-x", "--verify"}));
	CHECK(r.to_mark == std::optional<std::string>("-x"));
	CHECK(r.verify);
	// After --, words starting with - are operands.
	r = std::get<ReplayCommand>(parsed({"replay", "--to", "0", "--", "-log", "-dev"}));
	CHECK(r.log == "-log");
	CHECK(r.dev == "-dev");
}

TEST_CASE("logreplay cli: errors name the bad argument")
{
	CHECK(contains(error_of({}), "no command given"));
	CHECK(contains(error_of({"frob"}), "unknown command \"frob\""));
	CHECK(contains(error_of({"--frob"}), "unknown option \"--frob\""));
	CHECK(contains(error_of({"list"}), "list: missing LOG"));
	CHECK(contains(error_of({"list", "a", "b"}), "unexpected argument \"b\""));
	CHECK(contains(error_of({"list", "a", "--format", "xml"}), "--format: \"xml\" is not one of table, json"));
	CHECK(contains(error_of({"list", "a", "--format"}), "--format needs a value"));
	CHECK(contains(error_of({"list", "a", "--between", "2"}), "list: unknown option \"--between\""));
	CHECK(contains(error_of({"list", ""}), "empty path"));
	CHECK(contains(error_of({"points", "a", "--between", "1001"}), "--between: \"1001\" is not a whole number 0..1000"));
	CHECK(contains(error_of({"points", "a", "--between", "-1"}), "--between: \"-1\""));
	CHECK(contains(error_of({"points", "a", "--between", "2", "--between", "3"}), "--between given twice"));
	CHECK(contains(error_of({"replay", "L", "D"}), "needs --to ENTRY or --to-mark NAME"));
	CHECK(contains(error_of({"replay", "L", "--to", "1"}), "replay: missing LOG and DEV"));
	CHECK(contains(error_of({"replay", "L", "D", "--to", "x1"}), "--to: \"x1\" is not a whole number"));
	CHECK(contains(error_of({"replay", "L", "D", "--to", "1", "--to-mark", "m"}), "exclude each other"));
	CHECK(contains(error_of({"replay", "L", "D", "--to", "1", "--from", "0", "--from-start"}),
		       "--from and --from-start exclude each other"));
	CHECK(contains(error_of({"replay", "L", "D", "--to", "1", "--from", "2"}), "--from 2 is after --to 1"));
	CHECK(contains(error_of({"replay", "L", "D", "--to", "1", "--verify", "--from-start"}), "--verify writes nothing"));
	CHECK(contains(error_of({"replay", "L", "D", "--to-mark", ""}), "--to-mark: the mark name is empty"));
	CHECK(contains(error_of({"replay", "L", "D", "--to", "1", "--verify=yes"}), "--verify takes no value"));
	CHECK(contains(error_of({"replay", "L", "D", "--to", "99999999999999999999"}), "--to: \"99999999999999999999\""));
}

TEST_CASE("logreplay cli: list and points and replay on a log file")
{
	TempDir dir;
	std::string log = dir / "log";
	std::string dev = dir / "dev";
	write_bytes(log, sample_log().bytes());
	write_bytes(dev, {});

	auto list = run({"list", log});
	CHECK(list.code == exit_ok);
	CHECK(contains(list.out, "sectorsize 512, 13 entries"));
	CHECK(contains(list.out, "MARK          one"));
	CHECK(contains(list.out, "FLUSH|FUA"));
	CHECK(contains(list.out, "summary: 13 entries: 6 writes (9728 bytes), 3 flush, 2 fua, 2 discard, 3 mark"));

	auto json = run({"list", log, "--format", "json"});
	REQUIRE(json.code == exit_ok);
	auto j = nlohmann::json::parse(json.out);
	CHECK(j["nr_entries"] == 13);
	CHECK(j["entries"][3]["mark"] == "one");
	CHECK(j["entries"][9]["flags"] == nlohmann::json({"FLUSH", "FUA"}));
	CHECK(j["entries"][5]["offset"] == 100 * 512);
	CHECK(j["summary"]["discards"] == 2);

	auto points = run({"points", log, "--format", "json", "--between", "1"});
	REQUIRE(points.code == exit_ok);
	auto pj = nlohmann::json::parse(points.out);
	CHECK(pj["points"][0] == nlohmann::json({{"entry", 0}, {"kind", "between"}}));
	CHECK(pj["points"][2] == nlohmann::json({{"entry", 3}, {"kind", "mark"}, {"name", "one"}}));
	CHECK(contains(run({"points", log}).out, "       8  mark      two"));

	auto r = run({"replay", log, dev, "--to-mark", "two"});
	CHECK(r.code == exit_ok);
	CHECK(contains(r.out, "replayed entries 0..8"));
	CHECK(run({"replay", log, dev, "--to", "8", "--verify"}).code == exit_ok);
	auto v = run({"replay", log, dev, "--to", "12", "--verify"});
	CHECK(v.code == exit_mismatch);
	CHECK(contains(v.err, "differs from entries 0..12"));
	CHECK(contains(v.err, "entry 9"));
}

TEST_CASE("logreplay cli: run-time errors and their exit codes")
{
	TempDir dir;
	std::string log = dir / "log";
	std::string dev = dir / "dev";
	write_bytes(log, sample_log().bytes());
	write_bytes(dev, {});

	auto r = run({"replay", log, dev, "--to-mark", "nope"});
	CHECK(r.code == exit_bad_arguments);
	CHECK(contains(r.err, "--to-mark: no mark named \"nope\""));
	r = run({"replay", log, dev, "--to", "13"});
	CHECK(r.code == exit_bad_arguments);
	CHECK(contains(r.err, "--to 13: " + log + " has entries 0..12"));
	r = run({"replay", log, dev, "--to-mark", "one", "--from", "5"});
	CHECK(r.code == exit_bad_arguments);
	r = run({"replay", log, dir / "no-such-dir/dev", "--to", "1"});
	CHECK(r.code == exit_failure);
	CHECK(contains(r.err, "No such file or directory"));
	r = run({"list", dir / "missing"});
	CHECK(r.code == exit_failure);
	CHECK(contains(r.err, "hps-logreplay: " + (dir / "missing") + ": No such file or directory"));

	auto bytes = sample_log().bytes();
	bytes[3] = std::byte{0};
	write_bytes(log, bytes);
	r = run({"list", log});
	CHECK(r.code == exit_failure);
	CHECK(contains(r.err, "bad magic"));
	CHECK(r.err.find('\n') == r.err.size() - 1);
	r = run({"replay", log, dev, "--to", "0"});
	CHECK(r.code == exit_failure);
}
