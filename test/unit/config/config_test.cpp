// SPDX-License-Identifier: GPL-2.0-only
#include "config/config.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using hpsd::Config;
using hpsd::parse_config;

namespace {

constexpr const char* host = "testhost";

Config parse_ok(const std::string& text)
{
	auto result = parse_config(text, host);
	if (!result) {
		for (const auto& e : result.error())
			UNSCOPED_INFO(to_string(e));
	}
	REQUIRE(result.ok());
	return *result;
}

std::vector<std::string> errors_of(const std::string& text)
{
	auto result = parse_config(text, host);
	REQUIRE_FALSE(result.ok());
	std::vector<std::string> lines;
	for (const auto& e : result.error())
		lines.push_back(to_string(e));
	return lines;
}

// The one error a document with one bad field must produce.
std::string error_of(const std::string& text)
{
	auto lines = errors_of(text);
	INFO("document: " << text);
	REQUIRE(lines.size() == 1);
	CHECK(lines[0].find('\n') == std::string::npos);
	return lines[0];
}

struct BadValue {
	const char* document;
	const char* expected; // the complete error line
};

void check_bad_values(std::initializer_list<BadValue> cases)
{
	for (const auto& c : cases) {
		INFO("document: " << c.document);
		CHECK(error_of(c.document) == c.expected);
	}
}

} // namespace

TEST_CASE("config: an empty object gives every default", "[config]")
{
	Config c = parse_ok("{}");
	CHECK(c.node_name == host);
	CHECK(c.control_socket == "/run/hps/hpsd.sock");
	CHECK(c.state_dir == "/var/lib/hps");
	CHECK(c.log_level == hpsd::LogLevel::info);
	CHECK(c.ceph.conf == "/etc/ceph/ceph.conf");
	CHECK(c.ceph.pool == "rbd");
	CHECK(c.ceph.client == "admin");
	CHECK(c.cache_disks.empty());
	CHECK(c.partitions_per_disk == 1);
	CHECK(c.replica_timeout_s == 172800);
	CHECK(c.recovery_bandwidth_mbps == 0);
	CHECK(c.flush_bandwidth_mbps == 0);
	CHECK(c.replication.transport == hpsd::Transport::tcp);
	CHECK(c.replication.listen == hpsd::ListenAddress{"0.0.0.0", 7790});
	CHECK_FALSE(c.replication.cluster_id);
	CHECK(c.replication.secret_file == "/etc/hps/cluster.secret");
	CHECK(c.replication.peers.empty());
	CHECK(c.replication.keepalive_ms == 1000);
	CHECK(c.replication.peer_timeout_ms == 5000);
	CHECK(c.replication.lease_ms == 10000);
}

TEST_CASE("config: the shipped etc/hpsd.json is valid and holds the defaults", "[config]")
{
	std::string text = hps::test::read_file(HPS_SOURCE_DIR "/etc/hpsd.json");
	REQUIRE_FALSE(text.empty());
	Config shipped = parse_ok(text);
	Config defaults = parse_ok("{}");
	CHECK(shipped.control_socket == defaults.control_socket);
	CHECK(shipped.state_dir == defaults.state_dir);
	CHECK(shipped.log_level == defaults.log_level);
	CHECK(shipped.ceph.conf == defaults.ceph.conf);
	CHECK(shipped.ceph.pool == defaults.ceph.pool);
	CHECK(shipped.ceph.client == defaults.ceph.client);
	CHECK(shipped.cache_disks == defaults.cache_disks);
	CHECK(shipped.partitions_per_disk == defaults.partitions_per_disk);
	CHECK(shipped.replica_timeout_s == defaults.replica_timeout_s);
	CHECK(shipped.recovery_bandwidth_mbps == defaults.recovery_bandwidth_mbps);
	CHECK(shipped.flush_bandwidth_mbps == defaults.flush_bandwidth_mbps);
	CHECK(shipped.replication.transport == defaults.replication.transport);
	CHECK(shipped.replication.listen == defaults.replication.listen);
	CHECK(shipped.replication.cluster_id == defaults.replication.cluster_id);
	CHECK(shipped.replication.secret_file == defaults.replication.secret_file);
	CHECK(shipped.replication.peers == defaults.replication.peers);
	CHECK(shipped.replication.keepalive_ms == defaults.replication.keepalive_ms);
	CHECK(shipped.replication.peer_timeout_ms == defaults.replication.peer_timeout_ms);
	CHECK(shipped.replication.lease_ms == defaults.replication.lease_ms);
}

TEST_CASE("config: every field can be set", "[config]")
{
	Config c = parse_ok(R"({
		"node_name": "stor-01.rack_2",
		"control_socket": "/tmp/hps/ctl.sock",
		"state_dir": "/srv/hps",
		"log_level": "debug",
		"ceph": {"conf": "/etc/ceph/lab.conf", "pool": "volumes", "client": "hps"},
		"cache_disks": ["/dev/nvme0n1", "/dev/disk/by-id/nvme-X"],
		"partitions_per_disk": 4,
		"replica_timeout_s": 60,
		"recovery_bandwidth_mbps": 2048,
		"flush_bandwidth_mbps": 150,
		"replication": {"transport": "rdma", "listen": "[fd00::5]:7791",
				"cluster_id": "6F1C2A9E-03b4-4d5e-9a10-ff001234abcd",
				"secret_file": "/etc/hps/lab.secret",
				"peers": [{"node": "stor-02", "address": "10.0.0.2:7790"},
					  {"address": "[fd00::3]:7791", "node": "stor-03"}],
				"keepalive_ms": 250, "peer_timeout_ms": 3000}
	})");
	CHECK(c.node_name == "stor-01.rack_2");
	CHECK(c.control_socket == "/tmp/hps/ctl.sock");
	CHECK(c.state_dir == "/srv/hps");
	CHECK(c.log_level == hpsd::LogLevel::debug);
	CHECK(c.ceph.conf == "/etc/ceph/lab.conf");
	CHECK(c.ceph.pool == "volumes");
	CHECK(c.ceph.client == "hps");
	CHECK(c.cache_disks == std::vector<std::string>{"/dev/nvme0n1", "/dev/disk/by-id/nvme-X"});
	CHECK(c.partitions_per_disk == 4);
	CHECK(c.replica_timeout_s == 60);
	CHECK(c.recovery_bandwidth_mbps == 2048);
	CHECK(c.flush_bandwidth_mbps == 150);
	CHECK(c.replication.transport == hpsd::Transport::rdma);
	CHECK(c.replication.listen == hpsd::ListenAddress{"fd00::5", 7791});
	REQUIRE(c.replication.cluster_id);
	CHECK(hpsd::cluster_id_text(*c.replication.cluster_id) == "6f1c2a9e-03b4-4d5e-9a10-ff001234abcd");
	CHECK(c.replication.secret_file == "/etc/hps/lab.secret");
	CHECK(c.replication.peers == std::vector<hpsd::ReplicationPeer>{
					     {"stor-02", {"10.0.0.2", 7790}}, {"stor-03", {"fd00::3", 7791}}});
	CHECK(c.replication.keepalive_ms == 250);
	CHECK(c.replication.peer_timeout_ms == 3000);
}

TEST_CASE("config: values at the edges of their ranges are accepted", "[config]")
{
	CHECK(parse_ok(R"({"partitions_per_disk": 1})").partitions_per_disk == 1);
	CHECK(parse_ok(R"({"recovery_bandwidth_mbps": 1})").recovery_bandwidth_mbps == 1);
	CHECK(parse_ok(R"({"recovery_bandwidth_mbps": 0})").recovery_bandwidth_mbps == 0);
	CHECK(parse_ok(R"({"replica_timeout_s": 31536000})").replica_timeout_s == 31536000);
	CHECK(parse_ok(R"({"flush_bandwidth_mbps": 1048576})").flush_bandwidth_mbps == 1048576);
	CHECK(parse_ok(R"({"cache_disks": []})").cache_disks.empty());
	CHECK(parse_ok(R"({"node_name": ")" + std::string(63, 'n') + R"("})").node_name.size() == 63);
	CHECK(parse_ok(R"({"log_level": "error"})").log_level == hpsd::LogLevel::error);
	CHECK(parse_ok(R"({"log_level": "warn"})").log_level == hpsd::LogLevel::warn);
	CHECK(parse_ok(R"({"log_level": "info"})").log_level == hpsd::LogLevel::info);
	Config fast = parse_ok(R"({"replication": {"keepalive_ms": 100, "peer_timeout_ms": 200}})");
	CHECK(fast.replication.keepalive_ms == 100);
	CHECK(fast.replication.peer_timeout_ms == 200);
	Config slow = parse_ok(R"({"replication": {"keepalive_ms": 60000, "peer_timeout_ms": 600000}})");
	CHECK(slow.replication.keepalive_ms == 60000);
	CHECK(slow.replication.peer_timeout_ms == 600000);
	std::string peers;
	for (int i = 0; i < 255; i++)
		peers += std::string(i ? "," : "") + R"({"node": "n)" + std::to_string(i) +
			 R"(", "address": "10.0.0.1:)" + std::to_string(7000 + i) + R"("})";
	CHECK(parse_ok(R"({"replication": {"cluster_id": "6f1c2a9e-03b4-4d5e-9a10-ff001234abcd",
				"peers": [)" + peers + "]}}")
		      .replication.peers.size() == 255);
}

TEST_CASE("config: the error names the field and its value", "[config]")
{
	CHECK(error_of(R"({"replication": {"transport": "udp"}})") ==
	      R"(field "replication.transport": "udp" is not one of tcp, rdma)");
}

TEST_CASE("config: bad node_name values", "[config]")
{
	check_bad_values({
		{R"({"node_name": ""})", R"(field "node_name": "" is empty)"},
		{R"({"node_name": "a b"})",
		 R"(field "node_name": "a b" is not a node name (1..63 letters, digits, '.', '-', '_'))"},
		{R"({"node_name": "a/b"})",
		 R"(field "node_name": "a/b" is not a node name (1..63 letters, digits, '.', '-', '_'))"},
		{R"({"node_name": 7})", R"(field "node_name": 7 is not a string)"},
		{R"({"node_name": null})", R"(field "node_name": null is not a string)"},
		{R"({"node_name": "a\tb"})", R"(field "node_name": "a\tb" contains a control character)"},
	});
	CHECK(error_of(R"({"node_name": ")" + std::string(64, 'n') + R"("})")
		      .find("is not a node name") != std::string::npos);
}

TEST_CASE("config: bad control_socket values", "[config]")
{
	check_bad_values({
		{R"({"control_socket": "run/hpsd.sock"})",
		 R"(field "control_socket": "run/hpsd.sock" is not an absolute path)"},
		{R"({"control_socket": "/run/hps/"})",
		 R"(field "control_socket": "/run/hps/" names a directory, not a socket)"},
		{R"({"control_socket": ["/run/hps/hpsd.sock"]})",
		 R"(field "control_socket": an array is not a string)"},
		{R"({"control_socket": "/run/a\u0000b"})",
		 R"(field "control_socket": "/run/a\u0000b" contains a control character)"},
	});
	std::string long_path = "/" + std::string(107, 's');
	CHECK(error_of(R"({"control_socket": ")" + long_path + R"("})")
		      .find("is longer than 107 bytes, the limit of a UNIX socket path") !=
	      std::string::npos);
	CHECK(parse_ok(R"({"control_socket": "/)" + std::string(106, 's') + R"("})").control_socket.size() ==
	      107);
}

TEST_CASE("config: bad state_dir and log_level values", "[config]")
{
	check_bad_values({
		{R"({"state_dir": "var/lib/hps"})",
		 R"(field "state_dir": "var/lib/hps" is not an absolute path)"},
		{R"({"state_dir": true})", R"(field "state_dir": true is not a string)"},
		{R"({"log_level": "loud"})",
		 R"(field "log_level": "loud" is not one of error, warn, info, debug)"},
		{R"({"log_level": "INFO"})",
		 R"(field "log_level": "INFO" is not one of error, warn, info, debug)"},
		{R"({"log_level": 3})", R"(field "log_level": 3 is not one of error, warn, info, debug)"},
	});
}

TEST_CASE("config: bad ceph values", "[config]")
{
	check_bad_values({
		{R"({"ceph": "rbd"})", R"(field "ceph": "rbd" is not an object)"},
		{R"({"ceph": {"conf": "ceph.conf"}})",
		 R"(field "ceph.conf": "ceph.conf" is not an absolute path)"},
		{R"({"ceph": {"pool": ""}})", R"(field "ceph.pool": "" is empty)"},
		{R"({"ceph": {"pool": 1}})", R"(field "ceph.pool": 1 is not a string)"},
		{R"({"ceph": {"client": "client.admin"}})",
		 R"(field "ceph.client": "client.admin" must be the client id without "client." (e.g. "admin"))"},
		{R"({"ceph": {"keyring": "/etc/ceph/k"}})",
		 R"(field "ceph.keyring": unknown field (known here: conf, pool, client))"},
	});
}

TEST_CASE("config: bad cache_disks values", "[config]")
{
	check_bad_values({
		{R"({"cache_disks": "/dev/nvme0n1"})",
		 R"(field "cache_disks": "/dev/nvme0n1" is not an array)"},
		{R"({"cache_disks": ["nvme0n1"]})",
		 R"(field "cache_disks[0]": "nvme0n1" is not a device path under /dev/)"},
		{R"({"cache_disks": ["/dev/"]})",
		 R"(field "cache_disks[0]": "/dev/" is not a device path under /dev/)"},
		{R"({"cache_disks": ["/dev/../etc/passwd"]})",
		 R"(field "cache_disks[0]": "/dev/../etc/passwd" is not a device path under /dev/)"},
		{R"({"cache_disks": ["/dev/nvme0n1", 5]})", R"(field "cache_disks[1]": 5 is not a string)"},
		{R"({"cache_disks": ["/dev/nvme0n1", "/dev/nvme0n1"]})",
		 R"(field "cache_disks[1]": "/dev/nvme0n1" is listed twice)"},
		{R"({"cache_disks": ["/dev/a", "/dev/b", "/dev/c"]})",
		 R"(field "cache_disks": 3 disks listed, at most 2 are supported)"},
	});
}

TEST_CASE("config: bad integer values", "[config]")
{
	check_bad_values({
		{R"({"partitions_per_disk": 0})", R"(field "partitions_per_disk": 0 is out of range 1..4)"},
		{R"({"partitions_per_disk": 5})", R"(field "partitions_per_disk": 5 is out of range 1..4)"},
		{R"({"partitions_per_disk": -1})", R"(field "partitions_per_disk": -1 is out of range 1..4)"},
		{R"({"partitions_per_disk": 1.5})", R"(field "partitions_per_disk": 1.5 is not an integer)"},
		{R"({"partitions_per_disk": 2.0})", R"(field "partitions_per_disk": 2.0 is not an integer)"},
		{R"({"partitions_per_disk": "2"})", R"(field "partitions_per_disk": "2" is not an integer)"},
		{R"({"partitions_per_disk": true})", R"(field "partitions_per_disk": true is not an integer)"},
		{R"({"replica_timeout_s": 59})",
		 R"(field "replica_timeout_s": 59 is out of range 60..31536000)"},
		{R"({"replica_timeout_s": 18446744073709551615})",
		 R"(field "replica_timeout_s": 18446744073709551615 is out of range 60..31536000)"},
		{R"({"recovery_bandwidth_mbps": 2049})",
		 R"(field "recovery_bandwidth_mbps": 2049 is out of range 0..2048 (0 means unlimited))"},
		{R"({"recovery_bandwidth_mbps": -5})",
		 R"(field "recovery_bandwidth_mbps": -5 is out of range 0..2048 (0 means unlimited))"},
		{R"({"flush_bandwidth_mbps": 1048577})",
		 R"(field "flush_bandwidth_mbps": 1048577 is out of range 0..1048576 (0 means unlimited))"},
		{R"({"flush_bandwidth_mbps": "fast"})",
		 R"(field "flush_bandwidth_mbps": "fast" is not an integer)"},
	});
}

TEST_CASE("config: bad replication values", "[config]")
{
	check_bad_values({
		{R"({"replication": []})", R"(field "replication": an array is not an object)"},
		{R"({"replication": {"transport": "TCP"}})",
		 R"(field "replication.transport": "TCP" is not one of tcp, rdma)"},
		{R"({"replication": {"transport": null}})",
		 R"(field "replication.transport": null is not one of tcp, rdma)"},
		{R"({"replication": {"listen": "7790"}})",
		 R"(field "replication.listen": "7790" is not host:port)"},
		{R"({"replication": {"listen": "0.0.0.0:0"}})",
		 R"(field "replication.listen": "0.0.0.0:0" does not end with a port 1..65535)"},
		{R"({"replication": {"listen": "::1:7790"}})",
		 R"(field "replication.listen": "::1:7790" is not host:port (write an IPv6 address as [addr]:port))"},
		{R"({"replication": {"listen": 7790}})", R"(field "replication.listen": 7790 is not a string)"},
		{R"({"replication": {"mtu": 9000}})",
		 R"(field "replication.mtu": unknown field (known here: transport, listen, cluster_id, secret_file, peers, keepalive_ms, peer_timeout_ms, lease_ms))"},
		{R"({"replication": {"cluster_id": "prod"}})",
		 R"(field "replication.cluster_id": "prod" is not a UUID (8-4-4-4-12 hex digits, as uuidgen prints))"},
		{R"({"replication": {"cluster_id": "00000000-0000-0000-0000-000000000000"}})",
		 R"(field "replication.cluster_id": "00000000-0000-0000-0000-000000000000" is the nil UUID; choose one with uuidgen)"},
		{R"({"replication": {"cluster_id": 5}})", R"(field "replication.cluster_id": 5 is not a string)"},
		{R"({"replication": {"secret_file": "cluster.secret"}})",
		 R"(field "replication.secret_file": "cluster.secret" is not an absolute path)"},
		{R"({"replication": {"secret_file": ""}})", R"(field "replication.secret_file": "" is empty)"},
		{R"({"replication": {"keepalive_ms": 99}})",
		 R"(field "replication.keepalive_ms": 99 is out of range 100..60000)"},
		{R"({"replication": {"keepalive_ms": 60001}})",
		 R"(field "replication.keepalive_ms": 60001 is out of range 100..60000)"},
		{R"({"replication": {"keepalive_ms": "1s"}})",
		 R"(field "replication.keepalive_ms": "1s" is not an integer)"},
		{R"({"replication": {"lease_ms": 1999}})",
		 R"(field "replication.lease_ms": 1999 is out of range 2000..600000)"},
		{R"({"replication": {"lease_ms": 600001}})",
		 R"(field "replication.lease_ms": 600001 is out of range 2000..600000)"},
		{R"({"replication": {"peer_timeout_ms": 199}})",
		 R"(field "replication.peer_timeout_ms": 199 is out of range 200..600000)"},
		{R"({"replication": {"peer_timeout_ms": 600001}})",
		 R"(field "replication.peer_timeout_ms": 600001 is out of range 200..600000)"},
		{R"({"replication": {"peer_timeout_ms": 1999}})",
		 R"(field "replication.peer_timeout_ms": 1999 is less than twice replication.keepalive_ms (1000))"},
		{R"({"replication": {"keepalive_ms": 3000}})",
		 R"(field "replication.peer_timeout_ms": 5000 is less than twice replication.keepalive_ms (3000))"},
	});
}

TEST_CASE("config: bad replication peers", "[config]")
{
	const std::string id = R"("cluster_id": "6f1c2a9e-03b4-4d5e-9a10-ff001234abcd", )";
	auto doc = [&id](const std::string& peers) {
		return R"({"replication": {)" + id + R"("peers": )" + peers + "}}";
	};
	check_bad_values({
		{R"({"replication": {"peers": {}}})", R"(field "replication.peers": an object is not an array)"},
		{R"({"replication": {"peers": [{"node": "stor-2", "address": "10.0.0.2:7790"}]}})",
		 R"(field "replication.cluster_id": is missing; replication.peers needs it)"},
	});
	const BadValue cases[] = {
		{"[7]", R"(field "replication.peers[0]": 7 is not an object)"},
		{R"([{"node": "stor-2"}])",
		 R"(field "replication.peers[0].address": is missing (a peer needs node and address))"},
		{R"([{"address": "10.0.0.2:7790"}])",
		 R"(field "replication.peers[0].node": is missing (a peer needs node and address))"},
		{R"([{"node": "stor 2", "address": "10.0.0.2:7790"}])",
		 R"(field "replication.peers[0].node": "stor 2" is not a node name)"},
		{R"([{"node": "stor-2", "address": "10.0.0.2"}])",
		 R"(field "replication.peers[0].address": "10.0.0.2" is not host:port)"},
		{R"([{"node": "stor-2", "address": "10.0.0.2:7790", "port": 1}])",
		 R"(field "replication.peers[0].port": unknown field (known here: node, address))"},
		{R"([{"node": "stor-2", "address": "10.0.0.2:7790"}, {"node": "stor-2", "address": "10.0.0.3:7790"}])",
		 R"(field "replication.peers[1].node": "stor-2" is listed twice)"},
		{R"([{"node": "stor-2", "address": "10.0.0.2:7790"}, {"node": "stor-3", "address": "10.0.0.2:7790"}])",
		 R"(field "replication.peers[1].address": "10.0.0.2:7790" is listed twice)"},
		{R"([{"node": "testhost", "address": "10.0.0.2:7790"}])",
		 R"(field "replication.peers[0].node": "testhost" is this node's own node_name)"},
	};
	for (const auto& c : cases) {
		INFO("peers: " << c.document);
		CHECK(error_of(doc(c.document)) == c.expected);
	}
	std::string many = "[";
	for (int i = 0; i < 256; i++)
		many += std::string(i ? "," : "") + R"({"node": "n)" + std::to_string(i) +
			R"(", "address": "10.0.0.1:)" + std::to_string(7000 + i) + R"("})";
	CHECK(error_of(doc(many + "]")) == R"(field "replication.peers": 256 peers listed, at most 255)");
}

TEST_CASE("config: unknown top-level fields are errors", "[config]")
{
	std::string line = error_of(R"({"cache_disk": ["/dev/nvme0n1"]})");
	CHECK(line.starts_with(R"(field "cache_disk": unknown field (known here: node_name, )"));
	CHECK(line.find("cache_disks") != std::string::npos);
}

TEST_CASE("config: every error in a document is reported", "[config]")
{
	auto lines = errors_of(R"({"log_level": "loud", "partitions_per_disk": 9, "bogus": 1,
				   "replication": {"transport": "udp"}})");
	REQUIRE(lines.size() == 4);
	auto has = [&](const std::string& prefix) {
		for (const auto& l : lines)
			if (l.starts_with(prefix))
				return true;
		return false;
	};
	CHECK(has(R"(field "log_level": )"));
	CHECK(has(R"(field "partitions_per_disk": )"));
	CHECK(has(R"(field "bogus": unknown field)"));
	CHECK(has(R"(field "replication.transport": )"));
}

TEST_CASE("config: malformed documents", "[config]")
{
	CHECK(error_of("").starts_with("invalid JSON: "));
	CHECK(error_of("{\"log_level\": \"info\",}").starts_with("invalid JSON: "));
	CHECK(error_of("{} {}").starts_with("invalid JSON: "));
	CHECK(error_of("// comment\n{}").starts_with("invalid JSON: "));
	CHECK(error_of("[]") == "the document must be a JSON object, not an array");
	CHECK(error_of("\"x\"") == "the document must be a JSON object, not \"x\"");
}

TEST_CASE("config: long and odd values are quoted, escaped and cut short", "[config]")
{
	std::string line = error_of(R"({"log_level": ")" + std::string(10000, 'x') + R"("})");
	CHECK(line.size() < 200);
	CHECK(line.find("...") != std::string::npos);
	// A key with a quote in it stays one well-formed line.
	CHECK(error_of(R"({"a\"b": 1})").starts_with(R"(field "a\"b": unknown field)"));
}

namespace {

// An export section with the cluster id it needs.
std::string with_export(const std::string& nvme)
{
	return R"({"replication": {"cluster_id": "6f1c2a9e-03b4-4d5e-9a10-ff001234abcd"},
		   "export": {"nvme": )" +
	       nvme + "}}";
}

} // namespace

TEST_CASE("config: without export.nvme export is off", "[config][export]")
{
	CHECK_FALSE(parse_ok("{}").exports.nvme);
	CHECK_FALSE(parse_ok(R"({"export": {}})").exports.nvme);
}

TEST_CASE("config: export.nvme with its defaults and with every field set", "[config][export]")
{
	const Config defaults = parse_ok(with_export("{}"));
	REQUIRE(defaults.exports.nvme);
	const auto& d = *defaults.exports.nvme;
	CHECK(d.ports.empty());
	CHECK(d.port_id_first == 8400);
	CHECK(d.port_id_last == 8499);
	CHECK(d.cntlid_min == 1);
	CHECK(d.cntlid_max == 0xffef);
	CHECK(d.configfs == "/sys/kernel/config");

	const Config c = parse_ok(with_export(R"({
		"ports": [{"transport": "tcp", "address": "10.0.0.1"},
			  {"transport": "rdma", "address": "fd00::1", "service": 4421}],
		"port_ids": {"first": 100, "last": 101},
		"cntlid_min": 1000, "cntlid_max": 1999,
		"configfs": "/tmp/cfs"})"));
	REQUIRE(c.exports.nvme);
	const auto& n = *c.exports.nvme;
	REQUIRE(n.ports.size() == 2);
	CHECK(n.ports[0] == hpsd::NvmeExportPort{hpsd::Transport::tcp, "10.0.0.1", 4420});
	CHECK(n.ports[1] == hpsd::NvmeExportPort{hpsd::Transport::rdma, "fd00::1", 4421});
	CHECK(n.port_id_first == 100);
	CHECK(n.port_id_last == 101);
	CHECK(n.cntlid_min == 1000);
	CHECK(n.cntlid_max == 1999);
	CHECK(n.configfs == "/tmp/cfs");
}

TEST_CASE("config: bad export.nvme values", "[config][export]")
{
	const std::string ports = R"(field "export.nvme.ports)";
	struct Case {
		std::string nvme;
		std::string expected;
	};
	const Case cases[] = {
		{R"([])", R"(field "export.nvme": an array is not an object)"},
		{R"({"ports": {}})", ports + R"(": an object is not an array)"},
		{R"({"ports": [{"transport": "fc", "address": "10.0.0.1"}]})",
		 ports + R"([0].transport": "fc" is not one of tcp, rdma)"},
		{R"({"ports": [{"transport": "tcp", "address": "node1"}]})",
		 ports + R"([0].address": "node1" is not an IPv4 or IPv6 address (no brackets, no port))"},
		{R"({"ports": [{"transport": "tcp", "address": "[::1]"}]})",
		 ports + R"([0].address": "[::1]" is not an IPv4 or IPv6 address (no brackets, no port))"},
		{R"({"ports": [{"transport": "tcp", "address": "10.0.0.1", "service": 0}]})",
		 ports + R"([0].service": 0 is out of range 1..65535)"},
		{R"({"ports": [{"address": "10.0.0.1"}]})",
		 ports + R"([0].transport": is missing (a port needs transport and address))"},
		{R"({"ports": [{"transport": "tcp", "address": "10.0.0.1", "mtu": 1}]})",
		 ports + R"([0].mtu": unknown field (known here: transport, address, service))"},
		{R"({"ports": [{"transport": "tcp", "address": "10.0.0.1"},
			       {"transport": "tcp", "address": "10.0.0.1", "service": 4420}]})",
		 ports + R"([1]": tcp 10.0.0.1 service 4420 is listed twice)"},
		{R"({"port_ids": {"first": 0}})",
		 R"(field "export.nvme.port_ids.first": 0 is out of range 1..65535)"},
		{R"({"port_ids": {"first": 10, "last": 9}})",
		 R"(field "export.nvme.port_ids": 10..9 is an empty range (first is above last))"},
		{R"({"port_ids": {"first": 10, "last": 10},
		     "ports": [{"transport": "tcp", "address": "10.0.0.1"},
			       {"transport": "rdma", "address": "10.0.0.1"}]})",
		 ports + R"(": 2 ports listed, more than the 1 ids of export.nvme.port_ids)"},
		{R"({"cntlid_min": 0})", R"(field "export.nvme.cntlid_min": 0 is out of range 1..65519)"},
		{R"({"cntlid_max": 65520})",
		 R"(field "export.nvme.cntlid_max": 65520 is out of range 1..65519)"},
		{R"({"cntlid_min": 200, "cntlid_max": 100})",
		 R"(field "export.nvme.cntlid_min": 200 is above export.nvme.cntlid_max (100))"},
		{R"({"configfs": "sys/kernel/config"})",
		 R"(field "export.nvme.configfs": "sys/kernel/config" is not an absolute path)"},
		{R"({"lio": true})",
		 R"(field "export.nvme.lio": unknown field (known here: ports, port_ids, cntlid_min, cntlid_max, configfs))"},
	};
	for (const auto& c : cases) {
		INFO("nvme: " << c.nvme);
		CHECK(error_of(with_export(c.nvme)) == c.expected);
	}
	CHECK(error_of(R"({"export": {"nvme": {}}})") ==
	      R"(field "replication.cluster_id": is missing; export.nvme needs it (namespace serials and UUIDs derive from it))");
	CHECK(error_of(R"({"export": {"rbd": {}}})") ==
	      R"(field "export.rbd": unknown field (known here: nvme, iscsi))");
}

namespace {

std::string with_iscsi(const std::string& iscsi)
{
	return R"({"replication": {"cluster_id": "6f1c2a9e-03b4-4d5e-9a10-ff001234abcd"},
		   "export": {"iscsi": )" +
	       iscsi + "}}";
}

} // namespace

TEST_CASE("config: export.iscsi with its defaults and with every field set", "[config][export]")
{
	CHECK_FALSE(parse_ok(with_export("{}")).exports.iscsi);
	const Config defaults = parse_ok(with_iscsi("{}"));
	REQUIRE(defaults.exports.iscsi);
	CHECK_FALSE(defaults.exports.nvme);
	const auto& d = *defaults.exports.iscsi;
	CHECK(d.portals.empty());
	CHECK(d.tpg_tag == 1);
	CHECK(d.peer_tpg_tags.empty());
	CHECK(d.iblock_hba == 8400);
	CHECK(d.configfs == "/sys/kernel/config");

	const Config c = parse_ok(with_iscsi(R"({
		"portals": [{"address": "10.0.0.1"}, {"address": "fd00::1", "port": 3261}],
		"tpg_tag": 2, "peer_tpg_tags": {"node1": 1, "node3": 3},
		"iblock_hba": 77, "configfs": "/tmp/cfs"})"));
	REQUIRE(c.exports.iscsi);
	const auto& i = *c.exports.iscsi;
	REQUIRE(i.portals.size() == 2);
	CHECK(i.portals[0] == hpsd::IscsiPortal{"10.0.0.1", 3260});
	CHECK(i.portals[1] == hpsd::IscsiPortal{"fd00::1", 3261});
	CHECK(i.tpg_tag == 2);
	CHECK(i.peer_tpg_tags == std::map<std::string, std::uint16_t>{{"node1", 1}, {"node3", 3}});
	CHECK(i.iblock_hba == 77);
	CHECK(i.configfs == "/tmp/cfs");
}

TEST_CASE("config: bad export.iscsi values", "[config][export]")
{
	const std::string portals = R"(field "export.iscsi.portals)";
	struct Case {
		std::string iscsi;
		std::string expected;
	};
	const Case cases[] = {
		{R"(1)", R"(field "export.iscsi": 1 is not an object)"},
		{R"({"portals": [{"address": "node1"}]})",
		 portals + R"([0].address": "node1" is not an IPv4 or IPv6 address (no brackets, no port))"},
		{R"({"portals": [{"port": 3260}]})",
		 portals + R"([0].address": is missing (a portal needs an address))"},
		{R"({"portals": [{"address": "10.0.0.1", "port": 70000}]})",
		 portals + R"([0].port": 70000 is out of range 1..65535)"},
		{R"({"portals": [{"address": "10.0.0.1"}, {"address": "10.0.0.1", "port": 3260}]})",
		 portals + R"([1]": 10.0.0.1 port 3260 is listed twice)"},
		{R"({"tpg_tag": 0})", R"(field "export.iscsi.tpg_tag": 0 is out of range 1..65535)"},
		{R"({"peer_tpg_tags": []})",
		 R"(field "export.iscsi.peer_tpg_tags": an array is not an object)"},
		{R"({"peer_tpg_tags": {"node2": "2"}})",
		 R"(field "export.iscsi.peer_tpg_tags.node2": "2" is not an integer)"},
		{R"({"peer_tpg_tags": {"node2": 1}})",
		 R"(field "export.iscsi.peer_tpg_tags.node2": 1 is export.iscsi.tpg_tag too (every node needs its own tag))"},
		{R"({"iblock_hba": -1})",
		 R"(field "export.iscsi.iblock_hba": -1 is out of range 0..4294967295)"},
		{R"({"configfs": "cfs"})",
		 R"(field "export.iscsi.configfs": "cfs" is not an absolute path)"},
		{R"({"tpg": 1})",
		 R"(field "export.iscsi.tpg": unknown field (known here: portals, tpg_tag, peer_tpg_tags, iblock_hba, configfs))"},
	};
	for (const auto& c : cases) {
		INFO("iscsi: " << c.iscsi);
		CHECK(error_of(with_iscsi(c.iscsi)) == c.expected);
	}
	CHECK(error_of(R"({"export": {"iscsi": {}}})") ==
	      R"(field "replication.cluster_id": is missing; export.iscsi needs it (unit serials derive from it))");
	CHECK(error_of(R"({"replication": {"cluster_id": "6f1c2a9e-03b4-4d5e-9a10-ff001234abcd"},
			   "export": {"nvme": {}, "iscsi": {"configfs": "/tmp/x"}}})") ==
	      R"(field "export.iscsi.configfs": "/tmp/x" differs from export.nvme.configfs ("/sys/kernel/config"): both exports use one configfs)");
}
