// SPDX-License-Identifier: GPL-2.0-only
// Export in hpsd: the NvmetState built from the config, the volumes and
// the hosts, and the service applying it onto a temp tree through
// PosixConfigfs (as hpsd does onto /sys/kernel/config), after host and
// attach changes, a role change, a restart, and when configfs is not there.
#include "export/export_service.hpp"
#include "export/nvmet_names.hpp"
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
const std::string nqn_a = "nqn.2014-08.org.nvmexpress:uuid:0c6b1e1a-1111-4c55-9a57-3f6c1e0b9d21";
const std::string nqn_b = "nqn.2014-08.org.nvmexpress:uuid:0c6b1e1a-2222-4c55-9a57-3f6c1e0b9d21";

hpsd::NvmeExportConfig nvme_config(const std::string& configfs)
{
	hpsd::NvmeExportConfig c;
	c.ports = {{hpsd::Transport::tcp, "10.0.0.1", 4420}, {hpsd::Transport::rdma, "fd00::1", 4421}};
	c.cntlid_min = 1000;
	c.cntlid_max = 1999;
	c.configfs = configfs;
	return c;
}

ExportVolume volume(const std::string& name, std::uint32_t id, VolumeRole role,
		    bool present = true)
{
	return hps::test::export_volume(name, id, role, present);
}

Host host(const std::string& name, const std::string& nqn)
{
	Host h;
	h.name = name;
	h.nqn = nqn;
	return h;
}

// A configfs root with nvmet's three groups, as after modprobe nvmet.
void make_nvmet(const fs::path& root)
{
	for (const char* dir : {"nvmet", "nvmet/subsystems", "nvmet/ports", "nvmet/hosts"})
		fs::create_directory(root / dir);
}

std::string at(const fs::path& root, const std::string& path)
{
	const fs::path full = root / path;
	if (fs::is_symlink(full))
		return "link " + fs::read_symlink(full).string();
	if (!fs::exists(full))
		return "";
	return hps::test::read_file(full);
}

struct Bench {
	TempDir state;
	TempDir configfs;
	std::vector<ExportVolume> volumes;
	std::vector<std::string> errors;
	std::unique_ptr<ExportService> service;

	explicit Bench(bool enabled = true) { make(enabled); }

	void make(bool enabled)
	{
		service = std::make_unique<ExportService>(
			hpsd::ExportConfig{enabled ? std::optional(nvme_config(configfs.path().string()))
						   : std::nullopt,
					   std::nullopt},
			cluster, state.path(), [this] { return volumes; },
			ExportLog{[](const std::string&) {},
				  [this](const std::string& line) { errors.push_back(line); }});
	}
	std::string at(const std::string& path) const { return ::at(configfs.path(), path); }
};

} // namespace

TEST_CASE("export: the desired state of standalone, primary and secondary volumes")
{
	HostStore hosts;
	REQUIRE(hosts.add(host("web1", nqn_a)).ok());
	REQUIRE(hosts.add(host("web2", nqn_b)).ok());
	for (const char* v : {"solo", "prim", "sec", "gone"})
		REQUIRE(hosts.attach("web1", v).ok());
	REQUIRE(hosts.attach("web2", "prim").ok());
	const std::vector<ExportVolume> volumes = {
		volume("solo", 1, VolumeRole::standalone), volume("prim", 2, VolumeRole::primary),
		volume("sec", 3, VolumeRole::secondary),
		// Not attached: not exported.
		volume("lonely", 4, VolumeRole::standalone),
		// Its device is not up: not exported (nvmet could not enable it).
		volume("gone", 5, VolumeRole::standalone, false)};

	const NvmetState state = desired_nvmet_state(nvme_config("/sys/kernel/config"), cluster,
						     volumes, hosts);
	CHECK(validate(state).ok());
	CHECK(state.cluster_id == cluster);
	CHECK(state.owned_ports.first == 8400);
	CHECK(state.owned_ports.last == 8499);
	CHECK(state.cntlids.min == 1000);
	CHECK(state.cntlids.max == 1999);
	REQUIRE(state.ports.size() == 2);
	CHECK(state.ports[0].id == 8400);
	CHECK(state.ports[0].trtype == "tcp");
	CHECK(state.ports[0].adrfam == "ipv4");
	CHECK(state.ports[0].traddr == "10.0.0.1");
	CHECK(state.ports[0].trsvcid == "4420");
	CHECK(state.ports[1].id == 8401);
	CHECK(state.ports[1].trtype == "rdma");
	CHECK(state.ports[1].adrfam == "ipv6");
	CHECK(state.ports[1].trsvcid == "4421");
	REQUIRE(state.volumes.size() == 3);
	CHECK(state.volumes[0].id == 1);
	CHECK(state.volumes[0].device_path == "/dev/mapper/hps-solo");
	CHECK(state.volumes[0].ana_state == "optimized");
	CHECK(state.volumes[0].hosts == std::vector<std::string>{nqn_a});
	CHECK(state.volumes[1].id == 2);
	CHECK(state.volumes[1].ana_state == "optimized");
	CHECK(state.volumes[1].hosts == std::vector<std::string>{nqn_a, nqn_b});
	CHECK(state.volumes[2].id == 3);
	CHECK(state.volumes[2].device_path == "/dev/mapper/hps-sec");
	CHECK(state.volumes[2].ana_state == "inaccessible");
}

TEST_CASE("export: the config's defaults are the nvmet writer's")
{
	const hpsd::NvmeExportConfig config;
	const NvmetState state;
	CHECK(config.port_id_first == state.owned_ports.first);
	CHECK(config.port_id_last == state.owned_ports.last);
	CHECK(config.cntlid_min == state.cntlids.min);
	CHECK(config.cntlid_max == state.cntlids.max);
	CHECK(config.configfs == default_configfs_root);
}

TEST_CASE("export service: attach exports, a role change flips ANA, detach removes")
{
	Bench b;
	make_nvmet(b.configfs.path());
	b.volumes = {volume("db1", 7, VolumeRole::primary)};
	// Not started: nothing is applied (the hosts are not loaded yet).
	REQUIRE(b.service->reconcile().ok());
	CHECK(b.service->applies() == 0);
	REQUIRE(b.service->start().ok());
	CHECK(b.service->applies() == 1);
	CHECK(b.service->last_error().empty());
	// Ports are there from the start; no volume is attached yet.
	CHECK(b.at("nvmet/ports/8400/addr_traddr") == "10.0.0.1");
	const std::string sub = "nvmet/subsystems/" + volume_nqn(7);
	CHECK_FALSE(fs::exists(b.configfs.path() / sub));

	REQUIRE(*b.service->add_host(host("web1", nqn_a)) == true);
	REQUIRE(*b.service->attach("web1", "db1") == true);
	CHECK(b.service->last_error().empty());
	CHECK(b.at(sub + "/namespaces/1/device_path") == "/dev/mapper/hps-db1");
	CHECK(b.at(sub + "/namespaces/1/enable") == "1");
	CHECK(b.at(sub + "/namespaces/1/ana_grpid") == std::to_string(*ana_group_of("optimized")));
	CHECK(b.at(sub + "/attr_cntlid_min") == "1000");
	CHECK(b.at(sub + "/allowed_hosts/" + nqn_a) ==
	      "link " + (b.configfs.path() / "nvmet/hosts" / nqn_a).string());
	CHECK(b.at("nvmet/ports/8401/subsystems/" + volume_nqn(7)) ==
	      "link " + (b.configfs.path() / sub).string());
	VolumeExportView view = b.service->volume_view(b.volumes[0].record);
	CHECK(view.nqn == volume_nqn(7));
	CHECK(view.hosts == std::vector<std::string>{"web1"});
	CHECK(view.exported);
	CHECK(view.ana_state == "optimized");
	CHECK(view.ports.size() == 2);

	// Nothing changed: nothing written.
	REQUIRE(b.service->reconcile().ok());
	CHECK(b.service->last_changes() == 0);

	// Demoted (another node took over): inaccessible here.
	b.volumes[0].record.role = VolumeRole::secondary;
	REQUIRE(b.service->reconcile().ok());
	CHECK(b.service->last_changes() == 1);
	CHECK(b.at(sub + "/namespaces/1/ana_grpid") ==
	      std::to_string(*ana_group_of("inaccessible")));
	CHECK(b.service->volume_view(b.volumes[0].record).ana_state == "inaccessible");

	// A host with a volume stays; detached, it goes, and so does the
	// subsystem.
	CHECK_FALSE(b.service->remove_host("web1").ok());
	REQUIRE(*b.service->detach("web1", "db1") == true);
	CHECK_FALSE(fs::exists(b.configfs.path() / sub));
	CHECK_FALSE(b.service->volume_view(b.volumes[0].record).exported);
	REQUIRE(b.service->remove_host("web1").ok());
	CHECK(b.errors.empty());
}

TEST_CASE("export service: a restart rebuilds nvmet from the saved hosts")
{
	Bench b;
	make_nvmet(b.configfs.path());
	b.volumes = {volume("db1", 7, VolumeRole::standalone)};
	REQUIRE(b.service->start().ok());
	REQUIRE(b.service->add_host(host("web1", nqn_a)).ok());
	REQUIRE(b.service->attach("web1", "db1").ok());
	const std::string enable = "nvmet/subsystems/" + volume_nqn(7) + "/namespaces/1/enable";
	REQUIRE(b.at(enable) == "1");

	// A reboot: configfs starts empty; hpsd starts again.
	fs::remove_all(b.configfs.path() / "nvmet");
	make_nvmet(b.configfs.path());
	b.make(true);
	REQUIRE(b.service->start().ok());
	CHECK(b.service->hosts().find("web1")->volumes == std::vector<std::string>{"db1"});
	CHECK(b.at(enable) == "1");
	// An hpsd restart: configfs still holds it all; nothing to write.
	b.make(true);
	REQUIRE(b.service->start().ok());
	CHECK(b.service->last_changes() == 0);
}

TEST_CASE("export service: a failed apply is kept and reported, the change still made")
{
	Bench b; // no nvmet/ in its configfs: the module is not loaded
	b.volumes = {volume("db1", 7, VolumeRole::standalone)};
	REQUIRE(b.service->start().ok());
	CHECK(b.service->last_error() == "nvmet: " + b.configfs.path().string() +
						 "/nvmet is missing: is the nvmet module loaded?");
	REQUIRE(b.errors.size() == 1);
	REQUIRE(b.service->add_host(host("web1", nqn_a)).ok());
	REQUIRE(*b.service->attach("web1", "db1") == true);
	// Logged once, not once per change.
	CHECK(b.errors.size() == 1);
	CHECK_FALSE(b.service->volume_view(b.volumes[0].record).exported);

	make_nvmet(b.configfs.path());
	REQUIRE(b.service->reconcile().ok());
	CHECK(b.service->last_error().empty());
	CHECK(b.service->volume_view(b.volumes[0].record).exported);
}

TEST_CASE("export service: off, hosts are kept and configfs is not touched")
{
	Bench b(false);
	b.volumes = {volume("db1", 7, VolumeRole::standalone)};
	REQUIRE(b.service->start().ok());
	CHECK_FALSE(b.service->enabled());
	REQUIRE(b.service->add_host(host("web1", nqn_a)).ok());
	REQUIRE(b.service->attach("web1", "db1").ok());
	CHECK(b.service->reconcile().ok());
	CHECK(b.service->applies() == 0);
	CHECK(fs::is_empty(b.configfs.path()));
	CHECK(fs::exists(b.state.path() / hosts_file_name));
}
