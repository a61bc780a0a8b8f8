// SPDX-License-Identifier: GPL-2.0-only
// What LIO shall export over iSCSI on this node (design.md, "Export to
// compute hosts"): every exported volume as an iblock backstore and a
// target of its own, with one TPG per node (the node's tag) on the node's
// portals.  hpsd builds it from its config, its volumes and their roles
// (lio_desired.hpp); LioWriter (lio_writer.hpp) makes configfs say it.
//
// ALUA, and why a backstore carries more than one group: a host's
// multipath asks every path for the states of all target port groups
// (REPORT TARGET PORT GROUPS) and expects every path to tell the same
// story (tcmu-runner PR 452: ESX and Windows break otherwise).  Each node
// is one TPG of the volume's target, and its LUN sits in the ALUA group
// whose id is that TPG's tag, named hps_tpg_<tag>.  So that a path through
// this node reports the peer's group too, the volume's backstore here also
// carries the peer node's group, with the state the peer gives it: active
// where this node is the secondary, standby where it is the primary.  That
// needs the peer's tag (export.iscsi.peer_tpg_tags); without it only this
// node's group is reported and the paths disagree about which groups exist
// (never about a state).
#pragma once

#include "util/result.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hpsd::exports {

// SPC-4 asymmetric access states, as LIO's alua_access_state takes them.
enum class AluaState : std::uint8_t { active_optimized = 0, standby = 2 };

struct LioPortal {
	std::string address; // IPv4 or IPv6, no brackets
	std::uint16_t port = 3260;

	bool operator==(const LioPortal&) const = default;
};

struct LioHost {
	std::string iqn;	   // the initiator name: acls/<iqn>
	std::string chap_password; // empty: no CHAP for this host
	// CHAP user name; the initiator's IQN when empty.
	std::string chap_userid;
};

struct LioAluaGroup {
	std::uint16_t tag = 0; // the TPG tag of the node whose paths these are
	AluaState state = AluaState::standby;
};

struct LioVolume {
	std::uint32_t id = 0;	 // the registry's volume id, never 0
	std::string device_path; // its dm device, /dev/mapper/hps-<name>
	AluaState state = AluaState::active_optimized; // of this node's paths
	// The other nodes' groups to report (see above), tags other than
	// LioState::tpg_tag.
	std::vector<LioAluaGroup> peer_groups;
	std::vector<LioHost> hosts;
};

struct LioState {
	// As NvmetState::cluster_id: the unit serial derives from it, so that
	// every node exports a volume as the same SCSI device.
	std::string cluster_id;
	// core/iblock_<hba>: hps's backstores live in this HBA, which hps
	// makes and removes (when nothing else is in it).
	std::uint32_t hba = 8400;
	std::uint16_t tpg_tag = 1; // this node's TPG in every hps target, 1..65535
	std::vector<LioPortal> portals;
	std::vector<LioVolume> volumes;
};

// The first problem, one line naming the field and its value:
//   portal 2: address "10.0.0.300" is not an IP address
hps::Result<void, std::string> validate(const LioState& state);

// "active/optimized", "standby".
const char* to_string(AluaState state) noexcept;

} // namespace hpsd::exports
