// SPDX-License-Identifier: GPL-2.0-only
// hpsctl host add|list|remove, volume attach|detach: command lines, the
// requests they make, and their tables; volume show's export lines and
// status's export line.
#include "hpsctl/cli.hpp"
#include "hpsctl/host_commands.hpp"
#include "hpsctl/render.hpp"
#include "hpsctl/render_volume.hpp"

#include <catch2/catch.hpp>

using nlohmann::json;

namespace {

using Args = std::vector<std::string_view>;

const std::string nqn = "nqn.2014-08.org.nvmexpress:uuid:0c6b1e1a-1111-4c55-9a57-3f6c1e0b9d21";

hps::Result<hpsctl::Command, std::string> parse(Args args)
{
	return hpsctl::parse_cli(args, {});
}

hpsctl::RunCommand run_of(Args args)
{
	auto r = parse(std::move(args));
	INFO((r.ok() ? std::string() : r.error()));
	REQUIRE(r.ok());
	return std::get<hpsctl::RunCommand>(r->action);
}

hpsctl::HostRequest request_of(Args args)
{
	auto r = hpsctl::host_request(run_of(std::move(args)));
	INFO((r.ok() ? std::string() : r.error()));
	REQUIRE(r.ok());
	return *r;
}

} // namespace

TEST_CASE("hpsctl host and attach: command lines and their requests", "[hpsctl]")
{
	auto add = request_of({"host", "add", "web1", "--nqn", nqn, "--iqn=iqn.2001-04.com.example:web1",
			       "--chap-secret", "0123456789abcdef"});
	CHECK(add.method == "host.add");
	CHECK(add.params == json{{"name", "web1"},
				 {"nqn", nqn},
				 {"iqn", "iqn.2001-04.com.example:web1"},
				 {"chap_secret", "0123456789abcdef"}});
	CHECK(request_of({"host", "add", "web1", "--nqn", nqn}).params ==
	      json{{"name", "web1"}, {"nqn", nqn}});
	CHECK(request_of({"host", "list"}).method == "host.list");
	CHECK(request_of({"host", "remove", "web1"}).params == json{{"name", "web1"}});
	auto attach = request_of({"volume", "attach", "db1", "--host", "web1"});
	CHECK(attach.method == "volume.attach");
	CHECK(attach.params == json{{"name", "db1"}, {"host", "web1"}});
	auto detach = request_of({"--format", "json", "volume", "detach", "db1", "--host=web1"});
	CHECK(detach.method == "volume.detach");
	CHECK(detach.params == json{{"name", "db1"}, {"host", "web1"}});

	auto no_nqn = hpsctl::host_request(run_of({"host", "add", "web1"}));
	REQUIRE_FALSE(no_nqn.ok());
	CHECK(no_nqn.error() ==
	      "--nqn is required (the host's NVMe host NQN: cat /etc/nvme/hostnqn on it)");
	auto no_host = hpsctl::host_request(run_of({"volume", "attach", "db1"}));
	REQUIRE_FALSE(no_host.ok());
	CHECK(no_host.error() == "--host is required (see 'hpsctl host list')");

	CHECK(parse({"host", "add"}).error() == "\"host add\" needs NAME (try 'hpsctl host add --help')");
	CHECK(parse({"host", "add", "web1", "--nqn"}).error() == "--nqn needs a value (NQN)");
	CHECK(parse({"host", "list", "--host", "x"}).error() ==
	      "--host is not an option of \"host list\" (try 'hpsctl host list --help')");
	CHECK(parse({"host"}).error() ==
	      "\"host\" needs a verb: add, list, remove (try 'hpsctl host --help')");
	auto help = parse({"volume", "attach", "--help"});
	REQUIRE(help.ok());
	CHECK(std::get<hpsctl::ShowHelp>(help->action)
		      .text.starts_with("Usage: hpsctl [OPTIONS] volume attach NAME [OPTIONS]\n"));
}

TEST_CASE("hpsctl host and attach: tables", "[hpsctl]")
{
	const json list = json::parse(R"({"hosts": [
		{"name": "web1", "nqn": "nqn.x:1", "iqn": null, "chap": false, "volumes": ["db1", "db2"]},
		{"name": "web22", "nqn": "nqn.x:22", "iqn": "iqn.y", "chap": true, "volumes": []}]})");
	CHECK(hpsctl::render_host_list(list) == "NAME   NQN       IQN    CHAP  VOLUMES\n"
						"web1   nqn.x:1   -      no    db1,db2\n"
						"web22  nqn.x:22  iqn.y  yes   -\n");
	CHECK(hpsctl::render_host_list(json{{"hosts", json::array()}}) == "no hosts\n");
	CHECK(hpsctl::render_host_added(json{{"added", true}, {"host", list["hosts"][0]}}) ==
	      "added host web1 (nqn.x:1)\n");
	CHECK(hpsctl::render_host_added(json{{"added", false}, {"host", list["hosts"][0]}}) ==
	      "host web1 exists already as given\n");
	CHECK(hpsctl::render_host_removed(json{{"removed", "web1"}}) == "removed host web1\n");
	CHECK(hpsctl::render_volume_attached(json{
		      {"attached", true}, {"name", "db1"}, {"host", "web1"}, {"export_error", nullptr}}) ==
	      "attached volume db1 to host web1\n");
	CHECK(hpsctl::render_volume_attached(json{
		      {"attached", false}, {"name", "db1"}, {"host", "web1"}, {"export_error", "boom"}}) ==
	      "volume db1 to host web1: attached already\n"
	      "warning: export not updated: boom (kept; applied with the next change)\n");
	CHECK(hpsctl::render_volume_detached(json{
		      {"detached", false}, {"name", "db1"}, {"host", "web1"}, {"export_error", nullptr}}) ==
	      "volume db1 from host web1: not attached\n");
}

TEST_CASE("hpsctl volume show and status: the export", "[hpsctl]")
{
	json volume = json::parse(R"({"name": "db1", "id": 7, "export": {
		"enabled": true, "nqn": "nqn.2014-08.org.hps:vol:7", "hosts": ["web1"],
		"exported": true, "ana_state": "inaccessible", "last_error": null,
		"ports": [{"id": 8400, "transport": "tcp", "address": "10.0.0.1",
			   "service": "4420", "ana_state": "inaccessible"}]}})");
	const std::string text = hpsctl::render_volume(volume);
	CHECK(text.find("nqn     nqn.2014-08.org.hps:vol:7\n") != std::string::npos);
	CHECK(text.find("hosts   web1\n") != std::string::npos);
	CHECK(text.find("export  exported, ANA inaccessible\n") != std::string::npos);
	CHECK(text.find("path    tcp 10.0.0.1:4420 (port 8400): inaccessible\n") != std::string::npos);
	volume["export"]["enabled"] = false;
	volume["export"]["exported"] = false;
	volume["export"]["ports"] = json::array();
	CHECK(hpsctl::render_volume(volume).find("off (no export.nvme in hpsd.json)") !=
	      std::string::npos);

	json status = {{"export",
			{{"enabled", true},
			 {"ports", json::array({json::object()})},
			 {"hosts", 2},
			 {"last_error", "nvmet: /sys/kernel/config/nvmet is missing"}}}};
	CHECK(hpsctl::export_status_text(status) ==
	      "nvme on 1 ports, 2 hosts; last apply failed: nvmet: /sys/kernel/config/nvmet is missing");
	status["export"]["enabled"] = false;
	CHECK(hpsctl::export_status_text(status) ==
	      "off (no export.nvme or export.iscsi in the config)");
	CHECK(hpsctl::render_status(status).find("export") != std::string::npos);
}

TEST_CASE("hpsctl volume show and status: the iSCSI export", "[hpsctl]")
{
	json volume = json::parse(R"({"name": "db1", "id": 7, "export": {
		"enabled": true, "nvme": false, "nqn": "nqn.2014-08.org.hps:vol:7", "hosts": ["web1"],
		"exported": false, "ana_state": null, "last_error": null, "ports": [],
		"iscsi": {"iqn": "iqn.2014-08.org.hps:vol.7", "exported": true, "tpg_tag": 2,
			  "alua_state": "standby",
			  "portals": [{"address": "10.0.0.1", "port": 3260}]}}})");
	const std::string text = hpsctl::render_volume(volume);
	INFO(text);
	CHECK(text.find("export  off (no export.nvme in hpsd.json)\n") != std::string::npos);
	CHECK(text.find("iqn     iqn.2014-08.org.hps:vol.7\n") != std::string::npos);
	CHECK(text.find("iscsi   exported, ALUA standby (TPG 2)\n") != std::string::npos);
	CHECK(text.find("portal  10.0.0.1:3260\n") != std::string::npos);

	json status = {{"export",
			{{"enabled", true},
			 {"nvme", false},
			 {"iscsi", {{"tpg_tag", 2}, {"portals", json::array({json::object()})}}},
			 {"hosts", 1},
			 {"last_error", nullptr}}}};
	CHECK(hpsctl::export_status_text(status) == "iscsi on 1 portals (TPG 2), 1 hosts");
}
