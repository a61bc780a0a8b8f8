// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/cli.hpp"
#include "hpsctl/drain.hpp"
#include "hpsctl/render_volume.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <string_view>
#include <vector>

namespace {

using Json = nlohmann::json;
using Clock = hpsctl::DrainSeams::Clock;
using namespace std::chrono_literals;

hps::Result<hpsctl::Command, std::string> parse(std::vector<std::string_view> args)
{
	return hpsctl::parse_cli(args, {});
}

// hpsd as a script: each volume.show answers the next of `shows`; the
// clock moves only when the drain sleeps.
struct FakeHpsd {
	std::vector<Json> shows;
	Json flush_answer;
	std::size_t next = 0;
	std::vector<std::string> calls;
	Clock::time_point now{};

	hpsctl::DrainSeams seams()
	{
		return {[this](const std::string& method,
			       const Json& params) -> hps::Result<Json, hpsctl::Failure> {
				calls.push_back(method + " " + params.dump());
				if (method == "volume.flush")
					return flush_answer;
				if (next >= shows.size())
					return hps::fail(hpsctl::Failure{hpsctl::exit_unreachable,
									 "cannot reach hpsd"});
				return shows[next++];
			},
			[this] { return now; }, [this](std::chrono::milliseconds ms) { now += ms; }};
	}
};

Json volume(std::uint64_t dirty, bool flushing, bool backing_off = false)
{
	Json flush = flushing ? Json{{"elapsed_s", 1},
				     {"blocks_cleaned", 0},
				     {"blocks_held", 0},
				     {"backing_off", backing_off},
				     {"last_errno", backing_off ? 110 : 0},
				     {"last_error", backing_off ? Json("Connection timed out") : Json(nullptr)}}
			      : Json(nullptr);
	return Json{{"name", "db1"},	  {"dirty_blocks", dirty}, {"block_bytes", 4096},
		    {"flushing", flushing}, {"flush", flush}};
}

hpsctl::DrainRequest request(std::chrono::seconds timeout = 600s)
{
	return {"volume delete", "db1", timeout, false, "; the volume is left in place"};
}

std::vector<std::string> lines(const std::string& text)
{
	std::vector<std::string> out;
	std::istringstream in(text);
	for (std::string line; std::getline(in, line);)
		out.push_back(line);
	return out;
}

} // namespace

TEST_CASE("hpsctl drain: progress line", "[hpsctl]")
{
	CHECK(hpsctl::drain_progress_line("db1", 1234, 5.2e6) ==
	      "draining db1: 1234 dirty blocks left (5.2 MB/s)");
	CHECK(hpsctl::drain_progress_line("db1", 1, std::nullopt) == "draining db1: 1 dirty block left");
	CHECK(hpsctl::drain_progress_line("db1", 7, 0.0) == "draining db1: 7 dirty blocks left (0.0 MB/s)");
}

TEST_CASE("hpsctl drain: rate over the last seconds, never negative", "[hpsctl]")
{
	hpsctl::DrainMeter meter;
	const Clock::time_point t0{};
	meter.add(t0, 10000);
	CHECK_FALSE(meter.bytes_per_s(4096));
	meter.add(t0 + 1s, 9000);
	REQUIRE(meter.bytes_per_s(4096));
	CHECK(*meter.bytes_per_s(4096) == Approx(1000.0 * 4096));
	// Older samples leave the window: the rate follows the recent past.
	for (int s = 2; s <= 10; ++s)
		meter.add(t0 + std::chrono::seconds(s), 9000 - static_cast<std::uint64_t>(s - 1) * 100);
	CHECK(*meter.bytes_per_s(4096) == Approx(100.0 * 4096));
	meter.add(t0 + 11s, 50000); // rewritten meanwhile
	CHECK(*meter.bytes_per_s(4096) == 0.0);
}

TEST_CASE("hpsctl drain: --timeout-drain values", "[hpsctl]")
{
	CHECK(*hpsctl::parse_drain_timeout("1") == 1s);
	CHECK(*hpsctl::parse_drain_timeout("3600") == 3600s);
	for (auto bad : {"", "0", "-5", "1.5", "10s", "999999999"})
		CHECK(hpsctl::parse_drain_timeout(bad).error() ==
		      "--timeout-drain: \"" + std::string(bad) +
			      "\" is not a whole number of seconds 1..604800");
}

TEST_CASE("hpsctl drain: polls once a second until no dirty block is left", "[hpsctl]")
{
	FakeHpsd hpsd;
	hpsd.flush_answer = volume(3000, true);
	hpsd.shows = {volume(2000, true), volume(800, true), volume(0, false)};
	std::ostringstream err;
	auto drained = hpsctl::drain_volume(hpsd.seams(), request(), err);
	REQUIRE(drained.ok());
	CHECK(hpsd.calls == std::vector<std::string>{"volume.flush {\"name\":\"db1\"}",
						     "volume.show {\"name\":\"db1\"}",
						     "volume.show {\"name\":\"db1\"}",
						     "volume.show {\"name\":\"db1\"}"});
	CHECK(lines(err.str()) == std::vector<std::string>{
					  "draining db1: 3000 dirty blocks left",
					  "draining db1: 2000 dirty blocks left (4.1 MB/s)",
					  "draining db1: 800 dirty blocks left (4.5 MB/s)",
					  "drained db1 in 3 s"});
}

TEST_CASE("hpsctl drain: nothing dirty is done at once", "[hpsctl]")
{
	FakeHpsd hpsd;
	hpsd.flush_answer = Json{{"name", "db1"}, {"dirty_blocks", nullptr}, {"flushing", false}};
	std::ostringstream err;
	REQUIRE(hpsctl::drain_volume(hpsd.seams(), request(), err).ok());
	CHECK(hpsd.calls.size() == 1);
	CHECK(err.str().empty());
}

TEST_CASE("hpsctl drain: a terminal gets one line redrawn", "[hpsctl]")
{
	FakeHpsd hpsd;
	hpsd.flush_answer = volume(10, true);
	hpsd.shows = {volume(5, true), volume(0, false)};
	std::ostringstream err;
	auto r = request();
	r.tty = true;
	REQUIRE(hpsctl::drain_volume(hpsd.seams(), r, err).ok());
	CHECK(err.str() == "\rdraining db1: 10 dirty blocks left\x1b[K"
			   "\rdraining db1: 5 dirty blocks left (0.0 MB/s)\x1b[K\n"
			   "drained db1 in 2 s\n");
}

TEST_CASE("hpsctl drain: gives up after --timeout-drain, naming volume and count", "[hpsctl]")
{
	FakeHpsd hpsd;
	hpsd.flush_answer = volume(500, true);
	hpsd.shows = std::vector<Json>(10, volume(400, true));
	std::ostringstream err;
	auto drained = hpsctl::drain_volume(hpsd.seams(), request(3s), err);
	REQUIRE_FALSE(drained.ok());
	CHECK(drained.error().code == hpsctl::exit_failure);
	CHECK(drained.error().message ==
	      "volume delete: volume \"db1\" still has 400 dirty blocks after 3 s of draining "
	      "(--timeout-drain); the volume is left in place");
	CHECK(lines(err.str()).size() == 4); // t = 0, 1, 2, 3
}

TEST_CASE("hpsctl drain: gives up while writeback keeps backing off", "[hpsctl]")
{
	FakeHpsd hpsd;
	hpsd.flush_answer = volume(500, true);
	// One backoff that clears is no outage; three polls in a row are.
	hpsd.shows = {volume(500, true, true), volume(450, true), volume(450, true, true),
		      volume(450, true, true), volume(450, true, true)};
	std::ostringstream err;
	auto drained = hpsctl::drain_volume(hpsd.seams(), request(), err);
	REQUIRE_FALSE(drained.ok());
	CHECK(drained.error().message ==
	      "volume delete: writeback of volume \"db1\" is backing off (Ceph unreachable? "
	      "last error: Connection timed out); 450 dirty blocks not written back; the volume "
	      "is left in place");
	CHECK(hpsd.next == 5);
}

TEST_CASE("hpsctl drain: asks again when new writes outlived the drain", "[hpsctl]")
{
	FakeHpsd hpsd;
	hpsd.flush_answer = volume(100, true);
	hpsd.shows = {volume(20, false), volume(0, false)};
	std::ostringstream err;
	REQUIRE(hpsctl::drain_volume(hpsd.seams(), request(), err).ok());
	CHECK(std::count(hpsd.calls.begin(), hpsd.calls.end(), "volume.flush {\"name\":\"db1\"}") == 2);
}

TEST_CASE("hpsctl drain: hpsd's errors end the wait", "[hpsctl]")
{
	FakeHpsd hpsd;
	hpsd.flush_answer = volume(100, true);
	std::ostringstream err;
	auto drained = hpsctl::drain_volume(hpsd.seams(), request(), err);
	REQUIRE_FALSE(drained.ok());
	CHECK(drained.error().code == hpsctl::exit_unreachable);
}

TEST_CASE("hpsctl volume flush and delete: command lines", "[hpsctl]")
{
	auto flush = parse({"volume", "flush", "db1", "--wait", "--timeout-drain", "30"});
	REQUIRE(flush.ok());
	const auto& run = std::get<hpsctl::RunCommand>(flush->action);
	CHECK(run.id == hpsctl::CommandId::volume_flush);
	CHECK(run.operands == std::vector<std::string>{"db1"});
	CHECK(run.options.at("--wait").empty());
	CHECK(run.options.at("--timeout-drain") == "30");

	auto del = parse({"volume", "delete", "--timeout-drain=5", "db1"});
	REQUIRE(del.ok());
	CHECK(std::get<hpsctl::RunCommand>(del->action).options.at("--timeout-drain") == "5");

	CHECK(parse({"volume", "flush"}).error() ==
	      "\"volume flush\" needs NAME (try 'hpsctl volume flush --help')");
	CHECK(parse({"volume", "delete", "db1", "--wait"}).error() ==
	      "--wait is not an option of \"volume delete\" (try 'hpsctl volume delete --help')");
	CHECK(parse({"volume", "flush", "db1", "--timeout-drain"}).error() ==
	      "--timeout-drain needs a value (SECS)");
	CHECK(parse({"volume", "flush", "db1", "--force"}).error() ==
	      "--force is not an option of \"volume flush\" (try 'hpsctl volume flush --help')");
}

TEST_CASE("hpsctl volume delete --help says --force loses data", "[hpsctl]")
{
	auto help = parse({"volume", "delete", "--help"});
	REQUIRE(help.ok());
	const auto& text = std::get<hpsctl::ShowHelp>(help->action).text;
	CHECK(text.find("--timeout-drain SECS") != std::string::npos);
	CHECK(text.find("data loss") != std::string::npos);
	CHECK(text.find("are lost") != std::string::npos);
}

TEST_CASE("hpsctl volume flush: result line", "[hpsctl]")
{
	CHECK(hpsctl::render_volume_flush(volume(42, true)) == "flushing volume db1: 42 dirty blocks\n");
	CHECK(hpsctl::render_volume_flush(volume(0, false)) == "volume db1 has no dirty blocks\n");
	CHECK(hpsctl::render_volume_flush(Json{{"name", "db1"}, {"dirty_blocks", nullptr}}) ==
	      "volume db1 has no dirty blocks\n");
}
