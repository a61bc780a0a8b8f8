// SPDX-License-Identifier: GPL-2.0-only
// Export in hpsd: the host list, and nvmet and LIO (iSCSI) kept in step
// with it, the config and the volumes (nvmet_desired.hpp, lio_desired.hpp).
// Either export can be on without the other; each is applied on its own,
// so that one failing does not keep the other from its changes.  reconcile() is called at
// hpsd start (configfs is empty after a reboot, and outlives an hpsd
// restart), after every host or attachment change, and whenever the
// volume registry changes (a volume created, deleted, promoted, demoted).
// An apply that fails is undone by the writer, logged, and kept as
// last_error() for status and volume.show; hpsd keeps running, and the
// next change tries again.
//
// Everything runs on hpsd's control loop; no locking.
#pragma once

#include "config/config.hpp"
#include "export/configfs.hpp"
#include "export/host_store.hpp"
#include "export/lio_desired.hpp"
#include "export/nvmet_desired.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hpsd::exports {

struct ExportLog {
	std::function<void(const std::string&)> info;
	std::function<void(const std::string&)> error;
};

// One volume's export, for volume.show.
struct VolumeExportView {
	bool nvme = false; // export.nvme is on
	std::string nqn;
	std::vector<std::string> hosts; // attached host names
	bool exported = false;		// in the last state applied
	std::string ana_state;		// on every port of this node
	std::vector<NvmetPort> ports;
	// iSCSI (export.iscsi).
	std::string iqn; // empty when export.iscsi is off
	bool iscsi_exported = false; // in the last LIO state applied
	std::string alua_state;	     // of this node's TPG: "active/optimized", "standby"
	std::uint16_t tpg_tag = 0;
	std::vector<LioPortal> portals;
};

class ExportService {
public:
	// The registered volumes and whether their devices are up, asked on
	// each reconcile.
	using VolumeSource = std::function<std::vector<ExportVolume>()>;

	// `config`: export.nvme and export.iscsi; with neither export is off
	// (host and attach requests still work and are kept; nothing touches
	// configfs).  `fs`: configfs; null makes a PosixConfigfs at the
	// sections' configfs (the config makes both say the same).
	ExportService(ExportConfig config, std::string cluster_id,
		      std::filesystem::path state_dir, VolumeSource volumes, ExportLog log,
		      std::unique_ptr<Configfs> fs = nullptr);

	// Loads <state_dir>/hosts.json; an unreadable file is an error (hpsd
	// must not forget whom it allowed).  Then reconciles.
	hps::Result<void, std::string> start();

	bool enabled() const noexcept { return nvme_enabled() || iscsi_enabled(); }
	bool nvme_enabled() const noexcept { return config_.nvme.has_value(); }
	bool iscsi_enabled() const noexcept { return config_.iscsi.has_value(); }
	// Makes nvmet and LIO say what the config, the volumes and the hosts
	// say.
	// Off, or not started yet: does nothing.  Returns the error it also keeps, or nothing.
	hps::Result<void, std::string> reconcile();
	const std::string& last_error() const noexcept { return last_error_; }
	std::size_t applies() const noexcept { return applies_; }
	std::size_t last_changes() const noexcept { return last_changes_; }

	const HostStore& hosts() const noexcept { return hosts_; }
	// Each saves the host list, then reconciles; the answer is the
	// store's (an apply error does not fail the change: it is kept, shown
	// and retried).  attach's `volume` must be registered (the caller
	// checks).
	HostResult<bool> add_host(Host host);
	HostResult<void> remove_host(const std::string& name);
	HostResult<bool> attach(const std::string& host, const std::string& volume);
	HostResult<bool> detach(const std::string& host, const std::string& volume);

	VolumeExportView volume_view(const hps::volume::VolumeRecord& record) const;

private:
	// Saves `updated` and makes it the store, or leaves the store as it
	// was.
	HostResult<void> commit(HostStore updated);

	// Applies one writer's state; its error, or nothing.
	template <class Writer, class State>
	std::optional<std::string> apply(const State& desired, State& applied, const char* what,
					 std::size_t& changes);

	ExportConfig config_;
	std::string cluster_id_;
	std::filesystem::path state_dir_;
	VolumeSource volumes_;
	ExportLog log_;
	std::unique_ptr<Configfs> fs_;
	HostStore hosts_;
	bool started_ = false;
	NvmetState applied_; // what the last successful nvmet apply wrote
	LioState applied_lio_; // what the last successful LIO apply wrote
	std::string last_error_;
	std::size_t applies_ = 0;
	std::size_t last_changes_ = 0;
};

} // namespace hpsd::exports
