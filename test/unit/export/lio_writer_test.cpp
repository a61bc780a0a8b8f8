// SPDX-License-Identifier: GPL-2.0-only
// The LIO writer on the kernel fake: what it makes, idempotence, CHAP,
// ALUA, removal and what it leaves alone.
#include "lio_lab.hpp"

#include "nvmet_sample.hpp"

#include "export/lio_names.hpp"
#include "export/lio_tree.hpp"

#include <catch2/catch.hpp>

using namespace hpsd::exports;
using namespace hps::test;

namespace {

const std::string hba = "target/core/iblock_8400";
const std::string bs1 = hba + "/hps_vol_1";
const std::string tpg1 = "target/iscsi/iqn.2014-08.org.hps:vol.1/tpgt_1";
const std::string tpg2 = "target/iscsi/iqn.2014-08.org.hps:vol.2/tpgt_1";

LioState empty_state()
{
	LioState state = lio_sample_state();
	state.volumes.clear();
	return state;
}

} // namespace

TEST_CASE("lio names: IQNs, backstores, groups and portals")
{
	CHECK(volume_iqn(7) == "iqn.2014-08.org.hps:vol.7");
	CHECK_FALSE(lio_iqn_problem(volume_iqn(4294967295U)));
	CHECK(iqn_volume("iqn.2014-08.org.hps:vol.7") == 7U);
	CHECK_FALSE(iqn_volume("iqn.2014-08.org.hps:vol.07"));
	CHECK_FALSE(iqn_volume("iqn.2003-01.org.linux-iscsi:x"));
	CHECK(backstore_volume("hps_vol_12") == 12U);
	CHECK_FALSE(backstore_volume("hps_vol_"));
	CHECK(alua_group_tag("hps_tpg_3") == 3);
	CHECK_FALSE(alua_group_tag("default_tg_pt_gp"));
	CHECK(portal_dir({"10.0.0.1", 3260}) == "10.0.0.1:3260");
	CHECK(portal_dir({"fd00::1", 3261}) == "[fd00::1]:3261");
	CHECK(lio_unit_serial("c", 1) == lio_unit_serial("c", 1));
	CHECK(lio_unit_serial("c", 1) != lio_unit_serial("c", 2));
	CHECK(lio_iqn_problem("iqn.2000-01.com.x:a/b"));
	CHECK(lio_iqn_problem(std::string("iqn.") + std::string(220, 'a')));
	CHECK(alua_group_shown("TG Port Alias: hps_tpg_1\nTG Port Group ID: 1") == "hps_tpg_1");
	CHECK(alua_access_type_shown("Implicit") == "1");
	CHECK(alua_access_type_shown("Implicit and Explicit") == "3");
	CHECK(alua_access_type_shown("None") == "0");
	CHECK(unit_serial_shown("T10 VPD Unit Serial Number: abc") == "abc");
}

TEST_CASE("lio state: validate names the field and the value")
{
	auto state = lio_sample_state();
	CHECK(validate(state).ok());
	state.portals[1].address = "10.0.0.300";
	CHECK(validate(state).error() == R"(portal 1: address "10.0.0.300" is not an IP address)");
	state = lio_sample_state();
	state.volumes[0].hosts[1].iqn = "nqn.2014-08.x:y";
	CHECK(validate(state).error().starts_with(R"(volume 1: host "nqn.2014-08.x:y" is not an IQN)"));
	state = lio_sample_state();
	state.volumes[0].peer_groups[0].tag = 1;
	CHECK(validate(state).error() ==
	      "volume 1: peer group tag 1 is 0, this node's tag or given twice");
	state = lio_sample_state();
	state.tpg_tag = 0;
	CHECK(validate(state).error() == "tpg_tag 0 is not a TPG tag (1..65535)");
	state = lio_sample_state();
	state.volumes[1].device_path = "dev/x";
	CHECK(validate(state).error() ==
	      R"(volume 2: device_path "dev/x" is not an absolute path)");
	state.volumes[1].device_path = "/dev/x,y";
	CHECK(validate(state).error() ==
	      R"(volume 2: device_path "/dev/x,y" holds a ',' or a space (LIO's control cannot take it))");
}

TEST_CASE("lio writer: makes backstores, targets, portals, LUNs and ACLs")
{
	LioLab lab;
	auto changes = lab.writer().apply(lio_sample_state());
	REQUIRE(changes.ok());
	CHECK(lab.at(bs1 + "/control") == "udev_path=/dev/mapper/hps-db1");
	CHECK(lab.at(bs1 + "/udev_path") == "/dev/mapper/hps-db1");
	CHECK(lab.at(bs1 + "/enable") == "1");
	CHECK(lab.at(bs1 + "/wwn/vpd_unit_serial") ==
	      "T10 VPD Unit Serial Number: " + lio_unit_serial(sample_cluster, 1));
	CHECK(lab.at(bs1 + "/alua/hps_tpg_1/tg_pt_gp_id") == "1");
	CHECK(lab.at(bs1 + "/alua/hps_tpg_1/alua_access_state") == "0");
	CHECK(lab.at(bs1 + "/alua/hps_tpg_1/alua_access_type") == "Implicit");
	CHECK(lab.at(bs1 + "/alua/hps_tpg_2/tg_pt_gp_id") == "2");
	CHECK(lab.at(bs1 + "/alua/hps_tpg_2/alua_access_state") == "2");
	CHECK(lab.at(hba + "/hps_vol_2/alua/hps_tpg_1/alua_access_state") == "2");
	CHECK(lab.at(hba + "/hps_vol_2/alua/hps_tpg_2").empty());
	CHECK(lab.at(tpg1 + "/enable") == "1");
	CHECK(lab.at(tpg1 + "/attrib/generate_node_acls") == "0");
	CHECK(lab.at(tpg1 + "/attrib/authentication") == "1");
	CHECK(lab.at(tpg2 + "/attrib/authentication") == "0");
	CHECK(std::filesystem::is_directory(lab.root() / (tpg1 + "/np/192.168.10.1:3260")));
	CHECK(std::filesystem::is_directory(lab.root() / (tpg1 + "/np/[fd00:20::1]:3260")));
	CHECK(lab.at(tpg1 + "/lun/lun_0/hps_vol_1") == "link " + (lab.root() / bs1).string());
	CHECK(lab.at(tpg1 + "/lun/lun_0/alua_tg_pt_gp") ==
	      "TG Port Alias: hps_tpg_1\nTG Port Group ID: 1");
	const std::string acl_a = tpg1 + "/acls/" + iqn_a;
	CHECK(lab.at(acl_a + "/auth/userid") == iqn_a);
	CHECK(lab.at(acl_a + "/auth/password") == "secret-a-123456");
	CHECK(lab.at(acl_a + "/lun_0/hps_vol_1") ==
	      "link " + (lab.root() / (tpg1 + "/lun/lun_0")).string());
	CHECK(lab.at(tpg1 + "/acls/" + iqn_b + "/auth/userid").empty());
}

TEST_CASE("lio writer: a second apply writes nothing")
{
	LioLab lab;
	REQUIRE(lab.apply(lio_sample_state()) == "");
	lab.counter().clear();
	auto again = lab.writer().apply(lio_sample_state());
	INFO((again.ok() ? std::string() : again.error()));
	REQUIRE(again.ok());
	CHECK(*again == 0);
	CHECK(lab.counter().changes() == 0);
}

TEST_CASE("lio writer: a role change flips the ALUA states and nothing else")
{
	LioLab lab;
	REQUIRE(lab.apply(lio_sample_state()) == "");
	auto state = lio_sample_state();
	state.volumes[0].state = AluaState::standby;
	state.volumes[0].peer_groups[0].state = AluaState::active_optimized;
	lab.counter().clear();
	REQUIRE(lab.apply(state) == "");
	CHECK(lab.counter().log() ==
	      std::vector<std::string>{"write " + bs1 + "/alua/hps_tpg_1/alua_access_state=2",
				       "write " + bs1 + "/alua/hps_tpg_2/alua_access_state=0"});
}

TEST_CASE("lio writer: CHAP comes and goes with the host's secret")
{
	LioLab lab;
	REQUIRE(lab.apply(lio_sample_state()) == "");
	auto state = lio_sample_state();
	state.volumes[0].hosts[0].chap_password.clear();
	REQUIRE(lab.apply(state) == "");
	const std::string acl_a = tpg1 + "/acls/" + iqn_a;
	CHECK(lab.at(acl_a + "/auth/userid") == "NULL");
	CHECK(lab.at(acl_a + "/auth/password") == "NULL");
	CHECK(lab.at(tpg1 + "/attrib/authentication") == "0");
	lab.counter().clear();
	REQUIRE(lab.apply(state) == "");
	CHECK(lab.counter().changes() == 0);
	state.volumes[0].hosts[1].chap_password = "secret-b-123456";
	REQUIRE(lab.apply(state) == "");
	CHECK(lab.at(tpg1 + "/acls/" + iqn_b + "/auth/password") == "secret-b-123456");
	CHECK(lab.at(tpg1 + "/attrib/authentication") == "1");
}

TEST_CASE("lio writer: hosts, portals and tags change in place")
{
	LioLab lab;
	REQUIRE(lab.apply(lio_sample_state()) == "");
	auto state = lio_sample_state();
	state.volumes[0].hosts = {{iqn_c, {}, {}}};
	state.portals = {{"192.168.10.2", 3260}};
	REQUIRE(lab.apply(state) == "");
	CHECK(lab.at(tpg1 + "/acls/" + iqn_a).empty());
	CHECK(lab.at(tpg1 + "/acls/" + iqn_c + "/lun_0/hps_vol_1").starts_with("link "));
	CHECK(lab.at(tpg1 + "/np/192.168.10.1:3260").empty());
	CHECK(std::filesystem::is_directory(lab.root() / (tpg1 + "/np/192.168.10.2:3260")));
	state.tpg_tag = 3;
	state.volumes[0].peer_groups.clear();
	REQUIRE(lab.apply(state) == "");
	const std::string tpg3 = "target/iscsi/iqn.2014-08.org.hps:vol.1/tpgt_3";
	CHECK(lab.at(tpg1 + "/enable").empty());
	CHECK(lab.at(tpg3 + "/enable") == "1");
	CHECK(lab.at(tpg3 + "/lun/lun_0/alua_tg_pt_gp").starts_with("TG Port Alias: hps_tpg_3"));
	CHECK(lab.at(bs1 + "/alua/hps_tpg_1").empty());
	CHECK(lab.at(bs1 + "/alua/hps_tpg_2").empty());
	lab.counter().clear();
	REQUIRE(lab.apply(state) == "");
	CHECK(lab.counter().changes() == 0);
}

TEST_CASE("lio writer: a new device rebuilds the volume's backstore and target")
{
	LioLab lab;
	REQUIRE(lab.apply(lio_sample_state()) == "");
	auto state = lio_sample_state();
	state.volumes[0].device_path = "/dev/mapper/hps-db1b";
	REQUIRE(lab.apply(state) == "");
	CHECK(lab.at(bs1 + "/udev_path") == "/dev/mapper/hps-db1b");
	CHECK(lab.at(tpg1 + "/enable") == "1");
	lab.counter().clear();
	REQUIRE(lab.apply(state) == "");
	CHECK(lab.counter().changes() == 0);
}

TEST_CASE("lio writer: removal takes everything hps made, and only that")
{
	LioLab lab;
	const auto bare = lab.snapshot();
	// An admin's backstore in another HBA and target of their own.
	auto& fs = lab.below();
	REQUIRE(fs.make_dir("target/core/iblock_0").ok());
	REQUIRE(fs.make_dir("target/core/iblock_0/disk").ok());
	REQUIRE(fs.write("target/core/iblock_0/disk/control", "udev_path=/dev/sdz").ok());
	REQUIRE(fs.write("target/core/iblock_0/disk/enable", "1").ok());
	const std::string theirs = "target/iscsi/iqn.2003-01.org.linux-iscsi:admin";
	REQUIRE(fs.make_dir("target/iscsi").ok()); // the admin registered the fabric
	REQUIRE(fs.make_dir(theirs).ok());
	REQUIRE(fs.make_dir(theirs + "/tpgt_1").ok());
	REQUIRE(fs.make_dir(theirs + "/tpgt_1/lun/lun_0").ok());
	REQUIRE(fs.symlink("target/core/iblock_0/disk", theirs + "/tpgt_1/lun/lun_0/disk").ok());
	const auto with_theirs = lab.snapshot();

	REQUIRE(lab.apply(lio_sample_state()) == "");
	REQUIRE(lab.apply(empty_state()) == "");
	CHECK(lab.snapshot() == with_theirs);
	CHECK(lab.snapshot() != bare);
}

TEST_CASE("lio writer: the HBA stays while someone else's backstore is in it")
{
	LioLab lab;
	REQUIRE(lab.apply(lio_sample_state()) == "");
	REQUIRE(lab.below().make_dir(hba + "/admin_disk").ok());
	REQUIRE(lab.apply(empty_state()) == "");
	CHECK(lab.at(hba + "/admin_disk/enable") == "0");
	CHECK(lab.at(bs1).empty());
}

TEST_CASE("lio writer: without target/core it says target_core_mod is missing")
{
	TempDir dir;
	PosixConfigfs fs(dir.path().string());
	LioWriter writer(fs);
	auto failed = writer.apply(lio_sample_state());
	REQUIRE_FALSE(failed.ok());
	CHECK(failed.error().find("target/core is missing: is the target_core_mod module loaded?") !=
	      std::string::npos);
}

// As on a fresh node: target_core_mod loaded, the iSCSI fabric not yet
// registered (LIO registers it when target/iscsi is made).
TEST_CASE("lio writer: registers the iSCSI fabric when it has something to export, once")
{
	LioLab lab;
	REQUIRE(lab.at("target/iscsi").empty());
	REQUIRE_FALSE(std::filesystem::exists(lab.root() / "target/iscsi"));
	REQUIRE(lab.apply(empty_state()) == "");
	CHECK_FALSE(std::filesystem::exists(lab.root() / "target/iscsi"));
	REQUIRE(lab.apply(lio_sample_state()) == "");
	CHECK(std::filesystem::is_directory(lab.root() / "target/iscsi/discovery_auth"));
	CHECK(lab.at(tpg1 + "/enable") == "1");
	auto again = lab.writer().apply(lio_sample_state());
	REQUIRE(again.ok());
	CHECK(*again == 0);
	// Removing every volume leaves the fabric: others may use it.
	REQUIRE(lab.apply(empty_state()) == "");
	CHECK(std::filesystem::is_directory(lab.root() / "target/iscsi"));
}
