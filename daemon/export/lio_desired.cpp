// SPDX-License-Identifier: GPL-2.0-only
#include "export/lio_desired.hpp"

namespace hpsd::exports {

AluaState alua_state_for(hps::volume::VolumeRole role)
{
	// The same rule as ana_state_for(), in SCSI's words.
	return ana_state_for(role) == "optimized" ? AluaState::active_optimized
						  : AluaState::standby;
}

namespace {

// The peer node's ALUA group (lio_state.hpp): the other state, when the
// config knows the peer's tag.
void add_peer_group(const IscsiExportConfig& config, const hps::volume::VolumeRecord& record,
		    LioVolume& volume)
{
	auto peer = config.peer_tpg_tags.find(record.peer);
	if (record.role == hps::volume::VolumeRole::standalone || peer == config.peer_tpg_tags.end())
		return;
	const bool here_active = volume.state == AluaState::active_optimized;
	volume.peer_groups.push_back(
		{peer->second, here_active ? AluaState::standby : AluaState::active_optimized});
}

} // namespace

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
		std::vector<LioHost> initiators;
		for (const Host* host : hosts.hosts_of(v.record.name))
			if (!host->iqn.empty())
				initiators.push_back({host->iqn, host->chap_secret, {}});
		if (!v.device_present || initiators.empty())
			continue;
		LioVolume& volume = state.volumes.emplace_back();
		volume.id = v.record.id;
		volume.device_path = volume_device_path(v.record);
		volume.state = alua_state_for(v.record.role);
		volume.hosts = std::move(initiators);
		add_peer_group(config, v.record, volume);
	}
	return state;
}

} // namespace hpsd::exports
