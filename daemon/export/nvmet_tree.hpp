// SPDX-License-Identifier: GPL-2.0-only
// What nvmet's configfs says now, as far as hps cares: its own subsystems
// and ports in full (the attributes hps sets, namespaces, links, ANA
// groups), and of everyone else's objects only what hps must not break:
// which hosts their subsystems allow, and which of their ports expose hps's
// subsystems.
#pragma once

#include "export/configfs.hpp"
#include "export/configfs_attrs.hpp"
#include "export/nvmet_state.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace hpsd::exports {

// The attributes hps sets, in the order it sets them.
inline constexpr const char* subsystem_attrs[] = {
	"attr_allow_any_host", "attr_model", "attr_serial", "attr_cntlid_min", "attr_cntlid_max"};
// enable last: the others are written while the namespace is disabled.
inline constexpr const char* namespace_attrs[] = {"device_path", "device_uuid", "ana_grpid",
						  "enable"};
inline constexpr const char* port_attrs[] = {"addr_trtype", "addr_adrfam", "addr_traddr",
					     "addr_trsvcid"};

struct SubsystemNow {
	Attrs attrs;
	std::map<std::string, Attrs> namespaces; // by nsid
	std::set<std::string> hosts;             // allowed_hosts/<host NQN>
};

struct PortNow {
	Attrs attrs;
	std::set<std::string> subsystems;                // subsystems/<NQN>, anyone's
	std::map<std::uint32_t, std::string> ana_groups; // grpid -> ana_state, group 1 too
};

struct NvmetTree {
	std::map<std::string, SubsystemNow> subsystems; // hps's, by NQN
	std::map<std::uint16_t, PortNow> ports;         // hps's (owned_ports), by id
	std::set<std::string> hosts;                    // hosts/, anyone's
	// Hosts that subsystems not hps's allow.
	std::set<std::string> foreign_host_links;
	// Ports not hps's that expose an hps subsystem: NQN -> port dir names.
	std::map<std::string, std::set<std::string>> foreign_port_links;
};

bool is_hps_nqn(const std::string& nqn);
// The id of a ports/<name> directory that hps owns: the canonical decimal
// spelling of an id in `owned` (the kernel would also take "0x20c4").
std::optional<std::uint16_t> owned_port_id(const std::string& name, const PortIdRange& owned);

// Reads nothing but nvmet/.  The error names the path; a missing nvmet/
// says that the module is not loaded.
hps::Result<NvmetTree, std::string> read_nvmet_tree(Configfs& fs, const PortIdRange& owned);

} // namespace hpsd::exports
