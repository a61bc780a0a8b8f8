// SPDX-License-Identifier: GPL-2.0-only
// NvmetWriter onto a temp tree: what a first apply builds, that a second
// writes nothing, and that a change of the desired state changes that and
// nothing else, in an order the kernel accepts (the kernel fake refuses the
// rest).
#include "export/nvmet_names.hpp"
#include "nvmet_lab.hpp"

#include <catch2/catch.hpp>

using namespace hpsd::exports;
using namespace hps::test;

namespace {

const std::string sub1 = "nvmet/subsystems/" + volume_nqn(1);
const std::string sub2 = "nvmet/subsystems/" + volume_nqn(2);
constexpr const char* cluster = sample_cluster;

std::size_t apply(NvmetLab& lab, const NvmetState& state)
{
	lab.counter().clear();
	auto changes = lab.writer().apply(state);
	INFO((changes.ok() ? std::string() : changes.error()));
	REQUIRE(changes.ok());
	// A change may be more than one call (an item and its groups).
	CHECK(*changes <= lab.counter().changes());
	CHECK((*changes == 0) == (lab.counter().changes() == 0));
	return *changes;
}

void check_sample(const NvmetLab& lab)
{
	const std::string root = lab.root().string() + "/";
	CHECK(lab.at(sub1 + "/attr_allow_any_host") == "0");
	CHECK(lab.at(sub1 + "/attr_model") == "hps");
	CHECK(lab.at(sub1 + "/attr_serial") == volume_serial(cluster, 1));
	CHECK(lab.at(sub1 + "/attr_cntlid_min") == "1");
	CHECK(lab.at(sub1 + "/attr_cntlid_max") == "65519");
	CHECK(lab.at(sub1 + "/namespaces/1/device_path") == "/dev/mapper/hps-db1");
	CHECK(lab.at(sub1 + "/namespaces/1/device_uuid") == volume_uuid(cluster, 1));
	CHECK(lab.at(sub1 + "/namespaces/1/ana_grpid") == "2");
	CHECK(lab.at(sub1 + "/namespaces/1/enable") == "1");
	CHECK(lab.at(sub2 + "/namespaces/1/device_path") == "/dev/mapper/hps-db2");
	CHECK(lab.at(sub2 + "/namespaces/1/ana_grpid") == "4");
	CHECK(lab.at(sub1 + "/allowed_hosts/" + host_a) ==
	      "link " + root + "nvmet/hosts/" + host_a);
	CHECK(lab.at(sub1 + "/allowed_hosts/" + host_b) ==
	      "link " + root + "nvmet/hosts/" + host_b);
	CHECK(lab.at(sub2 + "/allowed_hosts/" + host_a) ==
	      "link " + root + "nvmet/hosts/" + host_a);
	CHECK(lab.at(sub2 + "/allowed_hosts/" + host_b).empty());
	CHECK(lab.at("nvmet/ports/8400/addr_trtype") == "tcp");
	CHECK(lab.at("nvmet/ports/8400/addr_adrfam") == "ipv4");
	CHECK(lab.at("nvmet/ports/8400/addr_traddr") == "192.168.10.1");
	CHECK(lab.at("nvmet/ports/8400/addr_trsvcid") == "4420");
	CHECK(lab.at("nvmet/ports/8401/addr_trtype") == "rdma");
	CHECK(lab.at("nvmet/ports/8401/addr_adrfam") == "ipv6");
	CHECK(lab.at("nvmet/ports/8401/addr_traddr") == "fd00:20::1");
	for (const char* port : {"8400", "8401"}) {
		const std::string dir = std::string("nvmet/ports/") + port;
		CHECK(lab.at(dir + "/subsystems/" + volume_nqn(1)) == "link " + root + sub1);
		CHECK(lab.at(dir + "/subsystems/" + volume_nqn(2)) == "link " + root + sub2);
		CHECK(lab.at(dir + "/ana_groups/2/ana_state") == "optimized");
		CHECK(lab.at(dir + "/ana_groups/3/ana_state") == "non-optimized");
		CHECK(lab.at(dir + "/ana_groups/4/ana_state") == "inaccessible");
		CHECK(lab.at(dir + "/ana_groups/5/ana_state") == "persistent-loss");
		CHECK(lab.at(dir + "/ana_groups/6/ana_state") == "change");
	}
}

} // namespace

TEST_CASE(
	"nvmet writer: a first apply onto a plain tree builds everything, a second writes nothing")
{
	NvmetLab lab(Tree::plain);
	CHECK(apply(lab, sample_state()) > 0);
	check_sample(lab);
	const auto built = lab.snapshot();
	CHECK(apply(lab, sample_state()) == 0);
	CHECK(lab.counter().log().empty());
	CHECK(lab.snapshot() == built);
}

TEST_CASE("nvmet writer: a first apply onto nvmet builds everything, a second writes nothing")
{
	NvmetLab lab;
	CHECK(apply(lab, sample_state()) > 0);
	check_sample(lab);
	CHECK(lab.at("nvmet/ports/8400/ana_groups/1/ana_state") == "optimized");
	const auto built = lab.snapshot();
	CHECK(apply(lab, sample_state()) == 0);
	CHECK(lab.snapshot() == built);
}

TEST_CASE("nvmet writer: a volume's hosts change alone")
{
	NvmetLab lab;
	apply(lab, sample_state());
	auto state = sample_state();
	state.volumes[0].hosts = {host_a, host_c};
	apply(lab, state);
	CHECK(lab.counter().log() ==
	      std::vector<std::string>{
		      "unlink " + sub1 + "/allowed_hosts/" + host_b,
		      std::string("mkdir nvmet/hosts/") + host_c,
		      "symlink " + sub1 + "/allowed_hosts/" + host_c + " -> nvmet/hosts/" + host_c,
		      std::string("rmdir nvmet/hosts/") + host_b, // no subsystem allows it now
	      });
	CHECK(apply(lab, state) == 0);
}

TEST_CASE("nvmet writer: a failover is one ana_grpid write per volume")
{
	NvmetLab lab;
	apply(lab, sample_state());
	auto state = sample_state();
	state.volumes[0].ana_state = "inaccessible";
	state.volumes[1].ana_state = "optimized";
	apply(lab, state);
	CHECK(lab.counter().log() == std::vector<std::string>{
					     "write " + sub1 + "/namespaces/1/ana_grpid=4",
					     "write " + sub2 + "/namespaces/1/ana_grpid=2",
				     });
}

TEST_CASE("nvmet writer: a new device path disables the namespace around the write")
{
	NvmetLab lab;
	apply(lab, sample_state());
	auto state = sample_state();
	state.volumes[1].device_path = "/dev/mapper/hps-db2new";
	apply(lab, state);
	CHECK(lab.counter().log() ==
	      std::vector<std::string>{
		      "write " + sub2 + "/namespaces/1/enable=0",
		      "write " + sub2 + "/namespaces/1/device_path=/dev/mapper/hps-db2new",
		      "write " + sub2 + "/namespaces/1/enable=1",
	      });
}

TEST_CASE("nvmet writer: a port's new address is written with its subsystems unlinked")
{
	NvmetLab lab;
	apply(lab, sample_state());
	auto state = sample_state();
	state.ports[0].traddr = "192.168.10.2";
	state.ports[0].trsvcid = "4421";
	apply(lab, state);
	const std::string port = "nvmet/ports/8400";
	CHECK(lab.counter().log() ==
	      std::vector<std::string>{
		      "unlink " + port + "/subsystems/" + volume_nqn(1),
		      "unlink " + port + "/subsystems/" + volume_nqn(2),
		      "write " + port + "/addr_traddr=192.168.10.2",
		      "write " + port + "/addr_trsvcid=4421",
		      "symlink " + port + "/subsystems/" + volume_nqn(1) + " -> " + sub1,
		      "symlink " + port + "/subsystems/" + volume_nqn(2) + " -> " + sub2,
	      });
	CHECK(lab.at(port + "/addr_traddr") == "192.168.10.2");
}

TEST_CASE("nvmet writer: a new controller id range moving up writes max first")
{
	NvmetLab lab;
	auto state = sample_state();
	state.volumes.resize(1);
	state.cntlids = {1, 999};
	apply(lab, state);
	state.cntlids = {1000, 1999};
	apply(lab, state);
	CHECK(lab.counter().log() == std::vector<std::string>{
					     "write " + sub1 + "/attr_cntlid_max=1999",
					     "write " + sub1 + "/attr_cntlid_min=1000",
				     });
	state.cntlids = {1, 999};
	apply(lab, state);
	CHECK(lab.counter().log() == std::vector<std::string>{
					     "write " + sub1 + "/attr_cntlid_min=1",
					     "write " + sub1 + "/attr_cntlid_max=999",
				     });
}

TEST_CASE("nvmet writer: a new volume and a new port are added beside the others")
{
	NvmetLab lab;
	apply(lab, sample_state());
	auto state = sample_state();
	state.volumes.push_back({3, "/dev/mapper/hps-db3", "optimized", {host_c}});
	state.ports.push_back({8402, "tcp", "ipv4", "192.168.30.1", "4420"});
	CHECK(apply(lab, state) > 0);
	CHECK(lab.at("nvmet/ports/8402/subsystems/" + volume_nqn(1)).starts_with("link "));
	CHECK(lab.at("nvmet/ports/8400/subsystems/" + volume_nqn(3)).starts_with("link "));
	for (const auto& line : lab.counter().log()) {
		INFO(line);
		const bool new_things = line.find("vol:3") != std::string::npos ||
					line.find("8402") != std::string::npos ||
					line.find(host_c) != std::string::npos;
		CHECK(new_things);
	}
	CHECK(apply(lab, state) == 0);
}
