// SPDX-License-Identifier: GPL-2.0-only
#include "status/status_report.hpp"

#include <catch2/catch.hpp>

using nlohmann::json;

namespace {

hpsd::Config test_config()
{
	hpsd::Config config;
	config.node_name = "stor-1";
	config.cache_disks = {"/dev/nvme0n1", "/dev/nvme1n1"};
	config.replication.transport = hpsd::Transport::rdma;
	config.replication.listen = {"10.0.0.1", 7790};
	return config;
}

} // namespace

TEST_CASE("status: reports node, version, process and config", "[status]")
{
	auto config = test_config();
	std::string path = "/etc/hps/hpsd.json";
	json s = hpsd::build_status({config, path, 1234, std::chrono::seconds(75), {}, {}});
	CHECK(s["node"] == "stor-1");
	CHECK(s["version"] == "0.1.0");
	CHECK(s["pid"] == 1234);
	CHECK(s["uptime_s"] == 75);
	CHECK(s["config_path"] == path);
	CHECK(s["cache_disks"] == json{"/dev/nvme0n1", "/dev/nvme1n1"});
	CHECK(s["replication"] == json{{"transport", "rdma"}, {"listen", "10.0.0.1:7790"}});
}

TEST_CASE("status: abi without the module loaded", "[status]")
{
	auto config = test_config();
	std::string path = "/c";
	json s = hpsd::build_status({config, path, 1, std::chrono::seconds(0), {false, std::nullopt}, {}});
	CHECK(s["abi"] == json{{"daemon", hpsd::daemon_abi_version()},
			       {"kernel", nullptr},
			       {"module_loaded", false},
			       {"compatible", false}});
}

TEST_CASE("status: abi with a matching and a different module", "[status]")
{
	auto config = test_config();
	std::string path = "/c";
	int ours = hpsd::daemon_abi_version();
	json same = hpsd::build_status({config, path, 1, std::chrono::seconds(0), {true, ours}, {}});
	CHECK(same["abi"]["kernel"] == ours);
	CHECK(same["abi"]["module_loaded"] == true);
	CHECK(same["abi"]["compatible"] == true);

	json other = hpsd::build_status({config, path, 1, std::chrono::seconds(0), {true, ours + 1}, {}});
	CHECK(other["abi"]["kernel"] == ours + 1);
	CHECK(other["abi"]["compatible"] == false);
}
