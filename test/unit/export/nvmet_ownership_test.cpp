// SPDX-License-Identifier: GPL-2.0-only
// What hps owns in nvmet and what it leaves alone: others' subsystems,
// ports outside its range, hosts its subsystems never used.
#include "export/nvmet_names.hpp"
#include "nvmet_lab.hpp"

#include <catch2/catch.hpp>

using namespace hpsd::exports;
using namespace hps::test;

namespace {

const std::string theirs = "nqn.2020-01.com.example:disk1";
const std::string their_host = "nqn.2020-01.com.example:host9";

// Someone else's export: a subsystem on their port 1 that allows host_a
// (which hps allows too) and their own host.
void add_theirs(NvmetLab& lab)
{
	auto& fs = lab.below();
	const std::string sub = "nvmet/subsystems/" + theirs;
	REQUIRE(fs.make_dir(std::string("nvmet/hosts/") + host_a).ok());
	REQUIRE(fs.make_dir("nvmet/hosts/" + their_host).ok());
	REQUIRE(fs.make_dir(sub).ok());
	REQUIRE(fs.make_dir(sub + "/namespaces/1").ok());
	REQUIRE(fs.write(sub + "/namespaces/1/device_path", "/dev/sdz").ok());
	REQUIRE(fs.write(sub + "/namespaces/1/enable", "1").ok());
	REQUIRE(fs.symlink(std::string("nvmet/hosts/") + host_a, sub + "/allowed_hosts/" + host_a)
			.ok());
	REQUIRE(fs.symlink("nvmet/hosts/" + their_host, sub + "/allowed_hosts/" + their_host).ok());
	REQUIRE(fs.make_dir("nvmet/ports/1").ok());
	REQUIRE(fs.write("nvmet/ports/1/addr_trtype", "tcp").ok());
	REQUIRE(fs.write("nvmet/ports/1/addr_adrfam", "ipv4").ok());
	REQUIRE(fs.write("nvmet/ports/1/addr_traddr", "192.168.10.1").ok());
	REQUIRE(fs.write("nvmet/ports/1/addr_trsvcid", "4430").ok());
	REQUIRE(fs.symlink(sub, "nvmet/ports/1/subsystems/" + theirs).ok());
}

NvmetState nothing()
{
	auto state = sample_state();
	state.volumes.clear();
	state.ports.clear();
	return state;
}

} // namespace

TEST_CASE("nvmet writer: removing every volume and port leaves nothing of hps and others' things "
	  "as they were")
{
	NvmetLab lab;
	add_theirs(lab);
	const auto before = lab.snapshot();
	REQUIRE(lab.writer().apply(sample_state()).ok());
	CHECK(lab.at("nvmet/subsystems/" + theirs + "/namespaces/1/enable") == "1");
	auto removed = lab.writer().apply(nothing());
	INFO((removed.ok() ? "" : removed.error()));
	REQUIRE(removed.ok());
	CHECK(lab.snapshot() == before);
	CHECK(lab.writer().apply(nothing()).value() == 0);
}

TEST_CASE("nvmet writer: a removed volume goes from others' ports too")
{
	NvmetLab lab;
	REQUIRE(lab.writer().apply(sample_state()).ok());
	const std::string sub1 = "nvmet/subsystems/" + volume_nqn(1);
	REQUIRE(lab.below().make_dir("nvmet/ports/1").ok());
	REQUIRE(lab.below().write("nvmet/ports/1/addr_trtype", "tcp").ok());
	REQUIRE(lab.below().write("nvmet/ports/1/addr_adrfam", "ipv4").ok());
	REQUIRE(lab.below().write("nvmet/ports/1/addr_traddr", "10.0.0.1").ok());
	REQUIRE(lab.below().write("nvmet/ports/1/addr_trsvcid", "4420").ok());
	REQUIRE(lab.below().symlink(sub1, "nvmet/ports/1/subsystems/" + volume_nqn(1)).ok());
	auto state = sample_state();
	state.volumes.erase(state.volumes.begin());
	REQUIRE(lab.writer().apply(state).ok());
	CHECK(lab.at(sub1).empty());
	CHECK(lab.at("nvmet/ports/1/subsystems/" + volume_nqn(1)).empty());
	CHECK(lab.at("nvmet/ports/1/addr_traddr") == "10.0.0.1");
}

TEST_CASE("nvmet writer: a port of hps's range with others' subsystem keeps its address and is not "
	  "removed")
{
	NvmetLab lab;
	add_theirs(lab);
	REQUIRE(lab.writer().apply(sample_state()).ok());
	REQUIRE(lab.below()
			.symlink("nvmet/subsystems/" + theirs,
				 "nvmet/ports/8400/subsystems/" + theirs)
			.ok());
	const auto before = lab.snapshot();
	lab.counter().clear();

	auto state = sample_state();
	state.ports[0].traddr = "192.168.10.9";
	auto refused = lab.writer().apply(state);
	REQUIRE_FALSE(refused.ok());
	CHECK(refused.error() == "nvmet: port 8400: its address must change, but subsystem " +
					 theirs + " (not hps's) is linked to it");
	CHECK(lab.counter().changes() == 0);
	CHECK(lab.snapshot() == before);

	REQUIRE(lab.writer().apply(nothing()).ok());
	CHECK(lab.at("nvmet/ports/8400/subsystems/" + theirs).starts_with("link "));
	CHECK(lab.at("nvmet/ports/8400/subsystems/" + volume_nqn(1)).empty());
	CHECK(lab.at("nvmet/ports/8401").empty());
}

TEST_CASE("nvmet writer: others' ports and hps-looking names outside hps's range are not hps's")
{
	NvmetLab lab;
	for (const char* port : {"8399", "8500", "0x20d0"}) // 0x20d0 is 8400 spelled another way
		REQUIRE(lab.below().make_dir(std::string("nvmet/ports/") + port).ok());
	const auto before = lab.snapshot();
	REQUIRE(lab.writer().apply(sample_state()).ok());
	REQUIRE(lab.writer().apply(nothing()).ok());
	CHECK(lab.snapshot() == before);
}

TEST_CASE("nvmet writer: an hps subsystem that is not wanted, whatever its name, goes")
{
	NvmetLab lab;
	const std::string stray = "nvmet/subsystems/nqn.2014-08.org.hps:vol:99";
	REQUIRE(lab.below().make_dir(stray).ok());
	REQUIRE(lab.below().make_dir(stray + "/namespaces/1").ok());
	REQUIRE(lab.below().make_dir(stray + "/namespaces/2").ok());
	REQUIRE(lab.writer().apply(sample_state()).ok());
	CHECK(lab.at(stray).empty());
}

TEST_CASE("nvmet writer: a bad desired state changes nothing")
{
	NvmetLab lab;
	REQUIRE(lab.writer().apply(sample_state()).ok());
	const auto before = lab.snapshot();
	lab.counter().clear();
	auto state = sample_state();
	state.volumes[1].hosts.push_back("iqn.2020-01.com.example:host");
	auto refused = lab.writer().apply(state);
	REQUIRE_FALSE(refused.ok());
	CHECK(refused.error() == "nvmet: volume 2: host \"iqn.2020-01.com.example:host\" is not an "
				 "NQN: it must start with \"nqn.\"");
	CHECK(lab.counter().changes() == 0);
	CHECK(lab.snapshot() == before);
}

TEST_CASE("nvmet writer: without nvmet loaded, apply says so")
{
	TempDir dir;
	PosixConfigfs fs(dir.path().string());
	NvmetWriter writer(fs);
	auto refused = writer.apply(sample_state());
	REQUIRE_FALSE(refused.ok());
	CHECK(refused.error() ==
	      "nvmet: " + dir.path().string() + "/nvmet is missing: is the nvmet module loaded?");
}
