// SPDX-License-Identifier: GPL-2.0-only
#include "export/lio_state.hpp"

#include "export/check_text.hpp"
#include "export/lio_names.hpp"

#include <set>

namespace hpsd::exports {
namespace {

using Check = hps::Result<void, std::string>;

bool is_ip(const std::string& text)
{
	return is_address(address_family(text), text);
}

Check check_volume(const LioState& state, const LioVolume& volume)
{
	if (auto ok = check_volume_device(volume.id, volume.device_path); !ok)
		return ok;
	const std::string what = "volume " + std::to_string(volume.id) + ": ";
	// iblock splits control's text at ',' and newlines.
	if (volume.device_path.find_first_of(", ") != std::string::npos)
		return hps::fail(what + "device_path " + quoted(volume.device_path) +
				 " holds a ',' or a space (LIO's control cannot take it)");
	std::set<std::uint16_t> tags = {state.tpg_tag};
	for (const auto& group : volume.peer_groups)
		if (group.tag == 0 || !tags.insert(group.tag).second)
			return hps::fail(what + "peer group tag " + std::to_string(group.tag) +
					 " is 0, this node's tag or given twice");
	std::set<std::string> initiators;
	for (const auto& host : volume.hosts) {
		if (auto problem = lio_iqn_problem(host.iqn))
			return hps::fail(what + "host " + quoted(host.iqn) + " is not an IQN: it " +
					 *problem);
		if (!initiators.insert(host.iqn).second)
			return hps::fail(what + "host " + quoted(host.iqn) + " is given twice");
		// The secret itself is never echoed.
		if (host.chap_password.find_first_of("\n ") != std::string::npos ||
		    host.chap_userid.find_first_of("\n ") != std::string::npos)
			return hps::fail(what + "host " + quoted(host.iqn) +
					 ": CHAP user or secret holds a space or newline");
	}
	return {};
}

} // namespace

const char* to_string(AluaState state) noexcept
{
	return state == AluaState::active_optimized ? "active/optimized" : "standby";
}

hps::Result<void, std::string> validate(const LioState& state)
{
	if (state.cluster_id.empty())
		return hps::fail(std::string("cluster_id is empty"));
	if (state.tpg_tag == 0)
		return hps::fail(std::string("tpg_tag 0 is not a TPG tag (1..65535)"));
	std::set<std::string> portals;
	for (std::size_t i = 0; i < state.portals.size(); ++i) {
		const LioPortal& portal = state.portals[i];
		const std::string what = "portal " + std::to_string(i) + ": ";
		if (!is_ip(portal.address))
			return hps::fail(what + "address " + quoted(portal.address) +
					 " is not an IP address");
		if (portal.port == 0)
			return hps::fail(what + "port 0 is not a port number 1..65535");
		if (!portals.insert(portal_dir(portal)).second)
			return hps::fail(what + quoted(portal_dir(portal)) + " is given twice");
	}
	return check_ids_once(std::span(state.volumes), "volume",
			      [&state](const LioVolume& volume) { return check_volume(state, volume); });
}

} // namespace hpsd::exports
