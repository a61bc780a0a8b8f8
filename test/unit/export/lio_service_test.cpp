// SPDX-License-Identifier: GPL-2.0-only
// iSCSI export in hpsd: the LioState built from export.iscsi, the volumes
// and the hosts, and the service applying it (alone, and next to nvmet)
// onto a temp tree through PosixConfigfs.
#include "tree_snapshot.hpp"

#include "export/export_service.hpp"
#include "export/lio_names.hpp"
#include "export_sample.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace hpsd::exports;
using hps::test::TempDir;
using hps::volume::VolumeRole;
namespace fs = std::filesystem;

namespace {

const std::string cluster = hps::test::export_cluster;
const std::string iqn_a = "iqn.1993-08.org.debian:01:aaaa";

hpsd::IscsiExportConfig iscsi_config(const std::string& configfs)
{
	hpsd::IscsiExportConfig c;
	c.portals = {{"10.0.0.1", 3260}};
	c.tpg_tag = 2;
	c.peer_tpg_tags = {{"node2", 1}};
	c.configfs = configfs;
	return c;
}

ExportVolume volume(const std::string& name, std::uint32_t id, VolumeRole role,
		    bool present = true)
{
	return hps::test::export_volume(name, id, role, present);
}

Host host(const std::string& name, const std::string& iqn, const std::string& secret = {})
{
	Host h;
	h.name = name;
	h.nqn = "nqn.2014-08.org.nvmexpress:uuid:0c6b1e1a-1111-4c55-9a57-3f6c1e0b9d2" + name.substr(3);
	h.iqn = iqn;
	h.chap_secret = secret;
	return h;
}

} // namespace

TEST_CASE("export: the desired LIO state: hosts with an IQN, ALUA by role, the peer's group")
{
	HostStore hosts;
	REQUIRE(hosts.add(host("web1", iqn_a, "secret-123456")).ok());
	REQUIRE(hosts.add(host("web2", "")).ok()); // NVMe only
	for (const char* v : {"solo", "prim", "sec", "gone"})
		REQUIRE(hosts.attach("web1", v).ok());
	REQUIRE(hosts.attach("web2", "nvme-only").ok());
	const std::vector<ExportVolume> volumes = {
		volume("solo", 1, VolumeRole::standalone), volume("prim", 2, VolumeRole::primary),
		volume("sec", 3, VolumeRole::secondary), volume("nvme-only", 4, VolumeRole::standalone),
		volume("gone", 5, VolumeRole::standalone, false)};
	const LioState state = desired_lio_state(iscsi_config("/x"), cluster, volumes, hosts);
	CHECK(validate(state).ok());
	CHECK(state.tpg_tag == 2);
	CHECK(state.hba == 8400);
	REQUIRE(state.volumes.size() == 3);
	CHECK(state.volumes[0].state == AluaState::active_optimized);
	CHECK(state.volumes[0].peer_groups.empty());
	REQUIRE(state.volumes[0].hosts.size() == 1);
	CHECK(state.volumes[0].hosts[0].iqn == iqn_a);
	CHECK(state.volumes[0].hosts[0].chap_password == "secret-123456");
	CHECK(state.volumes[1].state == AluaState::active_optimized);
	REQUIRE(state.volumes[1].peer_groups.size() == 1);
	CHECK(state.volumes[1].peer_groups[0].tag == 1);
	CHECK(state.volumes[1].peer_groups[0].state == AluaState::standby);
	CHECK(state.volumes[2].state == AluaState::standby);
	CHECK(state.volumes[2].peer_groups[0].state == AluaState::active_optimized);
}

TEST_CASE("export service: iSCSI alone, and next to nvmet")
{
	TempDir state_dir;
	TempDir configfs;
	const fs::path root = configfs.path();
	for (const char* dir : {"target", "target/core", "target/iscsi"})
		fs::create_directory(root / dir);
	std::vector<ExportVolume> volumes = {volume("db1", 7, VolumeRole::primary)};
	std::vector<std::string> errors;
	hpsd::ExportConfig config;
	config.iscsi = iscsi_config(root.string());
	auto make = [&] {
		return std::make_unique<ExportService>(
			config, cluster, state_dir.path(), [&] { return volumes; },
			ExportLog{{}, [&errors](const std::string& line) { errors.push_back(line); }});
	};
	auto service = make();
	REQUIRE(service->start().ok());
	CHECK(service->iscsi_enabled());
	CHECK_FALSE(service->nvme_enabled());
	REQUIRE(service->add_host(host("web1", iqn_a)).ok());
	REQUIRE(service->attach("web1", "db1").ok());
	CHECK(service->last_error().empty());
	const std::string tpg = "target/iscsi/" + volume_iqn(7) + "/tpgt_2";
	CHECK(hps::test::file_at(root, tpg + "/enable") == "1");
	CHECK(fs::is_directory(root / tpg / "np/10.0.0.1:3260"));
	CHECK(hps::test::file_at(root, "target/core/iblock_8400/hps_vol_7/alua/hps_tpg_1/"
				       "alua_access_state") == "2");
	VolumeExportView view = service->volume_view(volumes[0].record);
	CHECK(view.iqn == volume_iqn(7));
	CHECK(view.iscsi_exported);
	CHECK_FALSE(view.exported);
	CHECK(view.alua_state == "active/optimized");
	CHECK(view.tpg_tag == 2);
	CHECK(view.portals.size() == 1);

	// Demoted: standby here, the peer's group active.
	volumes[0].record.role = VolumeRole::secondary;
	REQUIRE(service->reconcile().ok());
	CHECK(service->last_changes() == 2);
	CHECK(service->volume_view(volumes[0].record).alua_state == "standby");

	// nvmet too, but its module is not loaded: LIO is still kept in step
	// and the error names nvmet.
	config.nvme = hpsd::NvmeExportConfig{};
	config.nvme->configfs = root.string();
	service = make();
	REQUIRE(service->start().ok());
	CHECK(service->last_error().starts_with("nvmet: "));
	REQUIRE(service->detach("web1", "db1").ok());
	CHECK_FALSE(fs::exists(root / tpg));
	CHECK_FALSE(fs::exists(root / "target/core/iblock_8400"));
	CHECK(errors.size() == 1);
}
