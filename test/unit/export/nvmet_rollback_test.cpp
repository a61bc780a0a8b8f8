// SPDX-License-Identifier: GPL-2.0-only
// An apply that fails at any one of its changes leaves configfs as it was.
#include "nvmet_lab.hpp"
#include "rollback_check.hpp"

#include <catch2/catch.hpp>

using namespace hpsd::exports;
using namespace hps::test;

namespace {

// Everything at once: a volume goes, one comes, one changes hosts, ANA
// state and device; a port goes, one comes, one moves; the controller ids
// move up.
NvmetState changed_state()
{
	auto state = sample_state();
	state.cntlids = {1000, 1999};
	state.volumes.erase(state.volumes.begin() + 1);
	state.volumes[0].hosts = {host_c};
	state.volumes[0].ana_state = "inaccessible";
	state.volumes[0].device_path = "/dev/mapper/hps-db1b";
	state.volumes.push_back({3, "/dev/mapper/hps-db3", "optimized", {host_a, host_b}});
	state.ports.erase(state.ports.begin() + 1);
	state.ports[0].traddr = "192.168.10.7";
	state.ports.push_back({8402, "rdma", "ipv4", "192.168.30.1", "4420"});
	return state;
}

void fail_each_change(const NvmetState& from, const NvmetState& to)
{
	hps::test::fail_each_change<NvmetLab>(from, to, 21);
}

} // namespace

TEST_CASE("nvmet writer: a failure at any change of an apply is undone (building up)")
{
	NvmetState empty = sample_state();
	empty.volumes.clear();
	empty.ports.clear();
	fail_each_change(empty, sample_state());
}

TEST_CASE("nvmet writer: a failure at any change of an apply is undone (changing)")
{
	fail_each_change(sample_state(), changed_state());
}

TEST_CASE("nvmet writer: a failure at any change of an apply is undone (changing back)")
{
	fail_each_change(changed_state(), sample_state());
}

TEST_CASE("nvmet writer: a failure at any change of an apply is undone (tearing down)")
{
	NvmetState empty = sample_state();
	empty.volumes.clear();
	empty.ports.clear();
	fail_each_change(sample_state(), empty);
}

TEST_CASE("nvmet writer: the kernel's own refusal is undone too")
{
	NvmetLab lab;
	REQUIRE(lab.writer().apply(sample_state()).ok());
	const auto before = lab.snapshot();
	// Serial numbers are refused once a subsystem is on a port
	// (nvmet_kernel_fake.hpp), so a new cluster id fails, after host_c
	// was made.
	auto state = sample_state();
	state.volumes[0].hosts.push_back(host_c);
	state.cluster_id = "another-cluster";
	auto failed = lab.writer().apply(state);
	REQUIRE_FALSE(failed.ok());
	CHECK(failed.error().find(
		      "attr_serial: Invalid argument; the changes before it were undone") !=
	      std::string::npos);
	CHECK(lab.snapshot() == before);
}
