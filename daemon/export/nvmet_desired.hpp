// SPDX-License-Identifier: GPL-2.0-only
// What nvmet shall export on this node, from hpsd's own state: the config's
// export.nvme section, the registered volumes with their roles, and the
// host list with its attachments.  Pure, so that every rule is a unit
// test: NvmetWriter (nvmet_writer.hpp) then makes configfs say it.
//
// - A volume is exported once at least one host is attached to it and its
//   dm device is up; a subsystem no host may connect to serves nobody, and
//   nvmet cannot enable a namespace on a missing device (one such volume
//   would fail the whole apply).
// - ANA: optimized where this node serves the volume (primary or
//   standalone), inaccessible where it holds the secondary copy; a
//   promotion or demotion changes only the namespace's ANA group.
// - Ports: export.nvme.ports in their order, ids from the first of
//   export.nvme.port_ids on.
#pragma once

#include "config/config.hpp"
#include "export/host_store.hpp"
#include "export/nvmet_state.hpp"
#include "volume/registry.hpp"

#include <span>
#include <string>

namespace hpsd::exports {

struct ExportVolume {
	hps::volume::VolumeRecord record;
	bool device_present = false; // /dev/mapper/hps-<name> is a block device
};

// /dev/mapper/hps-<name>.
std::string volume_device_path(const hps::volume::VolumeRecord& record);
// "optimized" or "inaccessible", by the node's role for the volume.
std::string ana_state_for(hps::volume::VolumeRole role);
// The nvmet port of export.nvme.ports[index].
NvmetPort nvmet_port(const NvmeExportConfig& config, std::size_t index);

NvmetState desired_nvmet_state(const NvmeExportConfig& config, const std::string& cluster_id,
			       std::span<const ExportVolume> volumes, const HostStore& hosts);

} // namespace hpsd::exports
