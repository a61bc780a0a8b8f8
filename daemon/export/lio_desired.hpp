// SPDX-License-Identifier: GPL-2.0-only
// What LIO shall export on this node, from hpsd's own state: the config's
// export.iscsi section, the registered volumes with their roles and peers,
// and the host list.  Pure; LioWriter (lio_writer.hpp) then makes configfs
// say it.
//
// - A volume is exported once at least one attached host has an IQN and
//   its dm device is up (as for nvmet: a backstore cannot be enabled on a
//   missing device, and would fail the whole apply).
// - ALUA: active/optimized where this node serves the volume (primary or
//   standalone), standby where it holds the secondary copy: the rule of
//   ana_state_for().  The peer's group (lio_state.hpp) gets the other
//   state, when export.iscsi.peer_tpg_tags knows the peer's tag.
// - CHAP: a host with a chap_secret logs in as its IQN with that secret.
#pragma once

#include "config/config.hpp"
#include "export/host_store.hpp"
#include "export/lio_state.hpp"
#include "export/nvmet_desired.hpp"

#include <span>
#include <string>

namespace hpsd::exports {

AluaState alua_state_for(hps::volume::VolumeRole role);

LioState desired_lio_state(const IscsiExportConfig& config, const std::string& cluster_id,
			   std::span<const ExportVolume> volumes, const HostStore& hosts);

} // namespace hpsd::exports
