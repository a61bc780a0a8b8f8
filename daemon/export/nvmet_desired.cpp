// SPDX-License-Identifier: GPL-2.0-only
#include "export/nvmet_desired.hpp"

#include "export/check_text.hpp"
#include "volume/naming.hpp"

namespace hpsd::exports {

std::string volume_device_path(const hps::volume::VolumeRecord& record)
{
	return hps::volume::volume_device_path(record.name);
}

std::string ana_state_for(hps::volume::VolumeRole role)
{
	return role == hps::volume::VolumeRole::secondary ? "inaccessible" : "optimized";
}

NvmetPort nvmet_port(const NvmeExportConfig& config, std::size_t index)
{
	const NvmeExportPort& p = config.ports.at(index);
	NvmetPort port;
	port.id = static_cast<std::uint16_t>(config.port_id_first + index);
	// Spelt here: to_string(Transport) is hpsd's config parser's.
	port.trtype = p.transport == Transport::rdma ? "rdma" : "tcp";
	port.adrfam = address_family(p.address);
	port.traddr = p.address;
	port.trsvcid = std::to_string(p.service);
	return port;
}

NvmetState desired_nvmet_state(const NvmeExportConfig& config, const std::string& cluster_id,
			       std::span<const ExportVolume> volumes, const HostStore& hosts)
{
	NvmetState state;
	state.cluster_id = cluster_id;
	state.owned_ports = PortIdRange{config.port_id_first, config.port_id_last};
	state.cntlids = CntlidRange{config.cntlid_min, config.cntlid_max};
	for (std::size_t i = 0; i < config.ports.size(); ++i)
		state.ports.push_back(nvmet_port(config, i));
	for (const ExportVolume& v : volumes) {
		if (!v.device_present)
			continue;
		NvmetVolume volume;
		volume.id = v.record.id;
		volume.device_path = volume_device_path(v.record);
		volume.ana_state = ana_state_for(v.record.role);
		for (const Host* host : hosts.hosts_of(v.record.name))
			volume.hosts.push_back(host->nqn);
		if (!volume.hosts.empty())
			state.volumes.push_back(std::move(volume));
	}
	return state;
}

} // namespace hpsd::exports
