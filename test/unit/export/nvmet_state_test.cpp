// SPDX-License-Identifier: GPL-2.0-only
#include "export/nvmet_names.hpp"
#include "export/nvmet_state.hpp"
#include "nvmet_sample.hpp"

#include <catch2/catch.hpp>

#include <functional>

using namespace hpsd::exports;
using hps::test::sample_state;

namespace {
constexpr const char* cluster = hps::test::sample_cluster;
} // namespace

TEST_CASE("nvmet names: a volume's NQN")
{
	CHECK(volume_nqn(7) == "nqn.2014-08.org.hps:vol:7");
	CHECK(volume_nqn(4294967295U) == "nqn.2014-08.org.hps:vol:4294967295");
	CHECK(volume_nqn(7).starts_with(hps_nqn_prefix));
}

TEST_CASE("nvmet names: serial and namespace UUID depend on the cluster and the volume only")
{
	// Fixed values: they must never change, or a host would see another
	// namespace after an upgrade (Python: uuid.uuid5(ns, cluster + "\0vol:1")).
	CHECK(volume_uuid(cluster, 1) == "9f981d5b-92c9-5adb-addb-ff0f51124344");
	CHECK(volume_uuid(cluster, 2) == "b91a2b20-c8e4-5921-a234-d78a42ad2149");
	CHECK(volume_serial(cluster, 1) == "e5eab47060c2f775a4d8");
	CHECK(volume_serial(cluster, 1).size() == 20);
	CHECK(volume_serial(cluster, 1) != volume_serial(cluster, 2));
	CHECK(volume_serial("other-cluster", 1) != volume_serial(cluster, 1));
	CHECK(volume_uuid("other-cluster", 1) != volume_uuid(cluster, 1));
}

TEST_CASE("nvmet names: one ANA group per state")
{
	CHECK(ana_group_of("optimized") == 2U);
	CHECK(ana_group_of("non-optimized") == 3U);
	CHECK(ana_group_of("inaccessible") == 4U);
	CHECK(ana_group_of("persistent-loss") == 5U);
	CHECK(ana_group_of("change") == 6U);
	CHECK_FALSE(ana_group_of("Optimized"));
	CHECK_FALSE(ana_group_of(""));
	for (std::uint32_t g = first_hps_ana_group; g <= last_hps_ana_group; g++)
		CHECK(ana_group_of(*ana_state_of_group(g)) == g);
	CHECK_FALSE(ana_state_of_group(1));
	CHECK_FALSE(ana_state_of_group(7));
}

TEST_CASE("nvmet state: the sample is valid")
{
	CHECK(validate(sample_state()).ok());
	auto state = sample_state();
	state.volumes.clear();
	state.ports.clear();
	CHECK(validate(state).ok());
}

TEST_CASE("nvmet state: a bad value is named with its field")
{
	struct Bad {
		std::function<void(NvmetState&)> spoil;
		std::string says;
	};
	const std::string long_nqn = "nqn." + std::string(220, 'x');
	const Bad bad[] = {
		{[](NvmetState& s) { s.cluster_id.clear(); }, "cluster_id is empty"},
		{[](NvmetState& s) { s.ports[0].trtype = "fc"; },
		 "port 8400: trtype \"fc\" is not tcp or rdma"},
		{[](NvmetState& s) { s.ports[0].adrfam = "ib"; },
		 "port 8400: adrfam \"ib\" is not ipv4 or ipv6"},
		{[](NvmetState& s) { s.ports[0].traddr = "192.168.10.300"; },
		 "port 8400: traddr \"192.168.10.300\" is not an ipv4 address"},
		{[](NvmetState& s) { s.ports[0].traddr = "fd00::1"; },
		 "port 8400: traddr \"fd00::1\" is not an ipv4 address"},
		{[](NvmetState& s) { s.ports[1].traddr = "10.0.0.1"; },
		 "port 8401: traddr \"10.0.0.1\" is not an ipv6 address"},
		{[](NvmetState& s) { s.ports[0].trsvcid = "0"; },
		 "port 8400: trsvcid \"0\" is not a port number 1..65535"},
		{[](NvmetState& s) { s.ports[0].trsvcid = "65536"; },
		 "port 8400: trsvcid \"65536\" is not a port number 1..65535"},
		{[](NvmetState& s) { s.ports[0].trsvcid = "44x"; },
		 "port 8400: trsvcid \"44x\" is not a port number 1..65535"},
		{[](NvmetState& s) { s.ports[0].id = 1; },
		 "port 1: id is outside hps's port ids 8400..8499"},
		{[](NvmetState& s) { s.ports[1].id = 8400; }, "port 8400: id is given twice"},
		{[](NvmetState& s) { s.volumes[0].ana_state = "standby"; },
		 "volume 1: ana_state \"standby\" is not optimized"},
		{[](NvmetState& s) { s.volumes[0].hosts.push_back("host-1"); },
		 "volume 1: host \"host-1\" is not an NQN: it must start with \"nqn.\""},
		{[&](NvmetState& s) { s.volumes[0].hosts.push_back(long_nqn); },
		 "is 224 characters long, more than 223"},
		{[](NvmetState& s) { s.volumes[0].hosts.push_back("nqn.a/b"); },
		 "volume 1: host \"nqn.a/b\" is not an NQN: it may only hold printable ASCII"},
		{[](NvmetState& s) { s.volumes[0].hosts.push_back("nqn.a b"); },
		 "volume 1: host \"nqn.a b\" is not an NQN"},
		{[](NvmetState& s) { s.volumes[0].device_path = "hps-db1"; },
		 "volume 1: device_path \"hps-db1\" is not an absolute path"},
		{[](NvmetState& s) { s.volumes[0].id = 0; }, "volume id 0 is not a volume id"},
		{[](NvmetState& s) { s.volumes[1].id = 1; }, "volume 1: id is given twice"},
		{[](NvmetState& s) {
			 s.cntlids = {100, 99};
		 },
		 "cntlids 100..99 is not a range"},
		{[](NvmetState& s) {
			 s.cntlids = {0, 99};
		 },
		 "cntlids 0..99 is not a range"},
		{[](NvmetState& s) {
			 s.cntlids = {1, 0xfff0};
		 },
		 "cntlids 1..65520 is not a range"},
		{[](NvmetState& s) {
			 s.owned_ports = {10, 9};
		 },
		 "owned_ports 10..9 is an empty range"},
	};
	for (const auto& b : bad) {
		auto state = sample_state();
		b.spoil(state);
		auto ok = validate(state);
		INFO(b.says);
		REQUIRE_FALSE(ok.ok());
		CHECK(ok.error().find(b.says) != std::string::npos);
		CHECK(ok.error().find('\n') == std::string::npos);
	}
}
