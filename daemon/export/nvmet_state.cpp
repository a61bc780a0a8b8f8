// SPDX-License-Identifier: GPL-2.0-only
#include "export/nvmet_state.hpp"

#include "export/check_text.hpp"
#include "export/nvmet_names.hpp"

#include <charconv>
#include <set>

namespace hpsd::exports {
namespace {

using Check = hps::Result<void, std::string>;

bool is_service(std::string_view text)
{
	unsigned value = 0;
	const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
	return !text.empty() && text[0] != '0' && ec == std::errc{} &&
	       end == text.data() + text.size() && value >= 1 && value <= 65535;
}

Check check_port(const NvmetState& state, const NvmetPort& port)
{
	const std::string what = "port " + std::to_string(port.id) + ": ";
	if (!state.owned_ports.contains(port.id))
		return hps::fail(what + "id is outside hps's port ids " +
				 std::to_string(state.owned_ports.first) + ".." +
				 std::to_string(state.owned_ports.last));
	if (port.trtype != "tcp" && port.trtype != "rdma")
		return hps::fail(what + "trtype " + quoted(port.trtype) + " is not tcp or rdma");
	if (port.adrfam != "ipv4" && port.adrfam != "ipv6")
		return hps::fail(what + "adrfam " + quoted(port.adrfam) + " is not ipv4 or ipv6");
	if (!is_address(port.adrfam, port.traddr))
		return hps::fail(what + "traddr " + quoted(port.traddr) + " is not an " +
				 port.adrfam + " address");
	if (!is_service(port.trsvcid))
		return hps::fail(what + "trsvcid " + quoted(port.trsvcid) +
				 " is not a port number 1..65535");
	return {};
}

Check check_volume(const NvmetVolume& volume)
{
	if (auto ok = check_volume_device(volume.id, volume.device_path); !ok)
		return ok;
	const std::string what = "volume " + std::to_string(volume.id) + ": ";
	if (!ana_group_of(volume.ana_state))
		return hps::fail(what + "ana_state " + quoted(volume.ana_state) +
				 " is not optimized, non-optimized, inaccessible, "
				 "persistent-loss or change");
	for (const auto& host : volume.hosts)
		if (auto problem = nqn_problem(host))
			return hps::fail(what + "host " + quoted(host) + " is not an NQN: it " +
					 *problem);
	if (auto problem = nqn_problem(volume_nqn(volume.id)))
		return hps::fail(what + "NQN " + quoted(volume_nqn(volume.id)) + " " + *problem);
	return {};
}

} // namespace

hps::Result<void, std::string> validate(const NvmetState& state)
{
	if (state.cluster_id.empty())
		return hps::fail(std::string("cluster_id is empty"));
	if (state.owned_ports.first > state.owned_ports.last)
		return hps::fail("owned_ports " + std::to_string(state.owned_ports.first) + ".." +
				 std::to_string(state.owned_ports.last) + " is an empty range");
	// 0xffef: the highest controller id (NVME_CNTLID_MAX).
	if (state.cntlids.min < 1 || state.cntlids.max > 0xffef ||
	    state.cntlids.min > state.cntlids.max)
		return hps::fail("cntlids " + std::to_string(state.cntlids.min) + ".." +
				 std::to_string(state.cntlids.max) + " is not a range in 1..65519");
	if (auto ok = check_ids_once(std::span(state.ports), "port",
				     [&state](const NvmetPort& port) { return check_port(state, port); });
	    !ok)
		return ok;
	return check_ids_once(std::span(state.volumes), "volume", check_volume);
}

} // namespace hpsd::exports
