// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/render.hpp"
#include "hpsctl/table.hpp"

#include <catch2/catch.hpp>

using nlohmann::json;

namespace {

json sample_status()
{
	return json::parse(R"({
		"node": "stor-1", "version": "0.1.0", "pid": 42, "uptime_s": 3725,
		"config_path": "/etc/hps/hpsd.json",
		"abi": {"daemon": 1, "kernel": 1, "module_loaded": true, "compatible": true},
		"channel": {"device": "/dev/hps-channel", "attached": true, "error": null,
			    "pools_at_attach": 1, "volumes_at_attach": 2},
		"cache_disks": ["/dev/nvme0n1", "/dev/nvme1n1"],
		"replication": {"transport": "tcp", "listen": "0.0.0.0:7790"}})");
}

} // namespace

TEST_CASE("render: key/value tables align their values", "[hpsctl]")
{
	hpsctl::KeyValueTable table;
	table.add("a", "1");
	table.add("longer", "2");
	CHECK(table.str() == "a       1\nlonger  2\n");
}

TEST_CASE("render: status as a table", "[hpsctl]")
{
	std::string text = hpsctl::render_status(sample_status());
	CHECK(text == "node            stor-1\n"
		      "version         0.1.0\n"
		      "pid             42\n"
		      "uptime          1h 2m 5s\n"
		      "config          /etc/hps/hpsd.json\n"
		      "module loaded   yes\n"
		      "abi daemon      1\n"
		      "abi kernel      1\n"
		      "abi compatible  yes\n"
		      "kernel channel  attached (/dev/hps-channel)\n"
		      "cache disks     /dev/nvme0n1, /dev/nvme1n1\n"
		      "replication     tcp, listening on 0.0.0.0:7790\n");
}

TEST_CASE("render: status without the module and without disks", "[hpsctl]")
{
	json s = sample_status();
	s["abi"]["module_loaded"] = false;
	s["abi"]["kernel"] = nullptr;
	s["abi"]["compatible"] = false;
	s["cache_disks"] = json::array();
	std::string text = hpsctl::render_status(s);
	CHECK(text.find("abi kernel      - (dm_hps not loaded)\n") != std::string::npos);
	CHECK(text.find("abi compatible  no\n") != std::string::npos);
	CHECK(text.find("cache disks     none\n") != std::string::npos);
}

TEST_CASE("render: a channel that is not attached says why", "[hpsctl]")
{
	json s = sample_status();
	s["channel"]["attached"] = false;
	s["channel"]["error"] = "no /dev/hps-channel (is the dm_hps module loaded?)";
	CHECK(hpsctl::render_status(s).find(
		      "kernel channel  not attached: no /dev/hps-channel (is the dm_hps module loaded?)\n") !=
	      std::string::npos);
}

TEST_CASE("render: fields an hpsd did not send show as ?", "[hpsctl]")
{
	std::string text = hpsctl::render_status(json{{"node", "n"}});
	CHECK(text.find("node            n\n") != std::string::npos);
	CHECK(text.find("uptime          ?\n") != std::string::npos);
	CHECK(text.find("abi kernel      ?\n") != std::string::npos);
	CHECK_NOTHROW(hpsctl::render_status(json::array()));
	CHECK_NOTHROW(hpsctl::render_status(json("text")));
}

TEST_CASE("render: json output is the result, indented, newline-terminated", "[hpsctl]")
{
	json s = sample_status();
	std::string text = hpsctl::render_json(s);
	CHECK(text.ends_with("}\n"));
	CHECK(json::parse(text) == s);
	CHECK(text.find("\n  \"abi\": {") != std::string::npos);
}

TEST_CASE("render: durations", "[hpsctl]")
{
	using std::chrono::seconds;
	CHECK(hpsctl::format_duration(seconds(0)) == "0s");
	CHECK(hpsctl::format_duration(seconds(59)) == "59s");
	CHECK(hpsctl::format_duration(seconds(60)) == "1m");
	CHECK(hpsctl::format_duration(seconds(86400 + 3600 + 1)) == "1d 1h 1s");
	CHECK(hpsctl::format_duration(seconds(-1)) == "?");
}
