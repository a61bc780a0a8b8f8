// SPDX-License-Identifier: GPL-2.0-only
#include "export/lio_desired.hpp"

namespace hpsd::exports {

AluaState alua_state_for(hps::volume::VolumeRole role)
{
	// The same rule as ana_state_for(), in SCSI's words.
	return ana_state_for(role) == "optimized" ? AluaState::active_optimized
						  : AluaState::standby;
}

LioState desired_lio_state(const IscsiExportConfig& config, const std::string& cluster_id,
			   std::span<const ExportVolume> volumes, const HostStore& hosts)
{
	LioState state;
	state.cluster_id = cluster_id;
	state.hba = config.iblock_hba;
	state.tpg_tag = config.tpg_tag;
	for (const auto& portal : config.portals)
		state.portals.push_back({portal.address, portal.port});
	for (const ExportVolume& v : volumes) {
		if (!v.device_present)
			continue;
		LioVolume volume;
		volume.id = v.record.id;
		volume.device_path = volume_device_path(v.record);
		volume.state = alua_state_for(v.record.role);
		for (const Host* host : hosts.hosts_of(v.record.name))
			if (!host->iqn.empty())
				volume.hosts.push_back({host->iqn, host->chap_secret, {}});
		if (volume.hosts.empty())
			continue;
		auto peer = config.peer_tpg_tags.find(v.record.peer);
		if (v.record.role != hps::volume::VolumeRole::standalone &&
		    peer != config.peer_tpg_tags.end())
			volume.peer_groups.push_back(
				{peer->second, volume.state == AluaState::active_optimized
						       ? AluaState::standby
						       : AluaState::active_optimized});
		state.volumes.push_back(std::move(volume));
	}
	return state;
}

} // namespace hpsd::exports
