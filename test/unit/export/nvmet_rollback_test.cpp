// SPDX-License-Identifier: GPL-2.0-only
// An apply that fails at any one of its changes leaves configfs as it was.
#include "nvmet_lab.hpp"

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

std::size_t changes_from_to(const NvmetState& from, const NvmetState& to)
{
	NvmetLab lab;
	REQUIRE(lab.writer().apply(from).ok());
	auto changes = lab.writer().apply(to);
	REQUIRE(changes.ok());
	return *changes;
}

// The path of a CountingConfigfs log line: "write <path>=v", "mkdir <path>", ...
std::string path_of(const std::string& line)
{
	std::string path = line.substr(line.find(' ') + 1);
	return path.substr(0, path.find_first_of("= "));
}

void fail_each_change(const NvmetState& from, const NvmetState& to)
{
	const std::size_t total = changes_from_to(from, to);
	REQUIRE(total > 20);
	for (std::size_t n = 0; n < total; n++) {
		NvmetLab lab;
		REQUIRE(lab.writer().apply(from).ok());
		const auto before = lab.snapshot();
		lab.counter().clear();
		lab.failer().fail_at(n);
		auto failed = lab.writer().apply(to);
		INFO("change " << n << " of " << total << ": "
			       << (n < lab.counter().log().size() ? lab.counter().log()[n] : "?"));
		REQUIRE_FALSE(failed.ok());
		INFO(failed.error());
		const std::string& line = lab.counter().log().at(n);
		CHECK(failed.error().find(lab.root().string() + "/" + path_of(line)) !=
		      std::string::npos);
		if (line.starts_with("write "))
			CHECK(failed.error().find("\"" + line.substr(line.find('=') + 1) + "\"") !=
			      std::string::npos);
		CHECK(failed.error().find(
			      "Input/output error; the changes before it were undone") !=
		      std::string::npos);
		CHECK(lab.snapshot() == before);

		lab.failer().fail_at(std::nullopt);
		CHECK(lab.writer().apply(to).ok());
	}
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
