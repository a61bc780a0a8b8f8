// SPDX-License-Identifier: GPL-2.0-only
// What LIO's configfs says now, as far as hps cares: hps's HBA with its
// backstores (hps_vol_<id>) and their hps_tpg_<tag> ALUA groups, and hps's
// targets (hps_iqn_prefix) in full.  Of everyone else's objects only what
// hps must not break: the other backstores in hps's HBA, which keep the HBA.
#pragma once

#include "export/configfs.hpp"
#include "export/configfs_attrs.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace hpsd::exports {

// The attributes hps sets and reads back, in the order it sets them.
// Backstore: "control" takes "udev_path=<device>" (iblock opens that) but
// cannot be read, so udev_path (informational, readable) is written too;
// enable last, it opens the device.
inline constexpr const char* backstore_attrs[] = {"udev_path", "wwn/vpd_unit_serial", "enable"};
// tg_pt_gp_id can be set once; alua_access_state needs it and an enabled
// backstore.
inline constexpr const char* alua_group_attrs[] = {"tg_pt_gp_id", "alua_access_type",
						   "alua_access_state"};
// enable is written on its own: last when making, first when removing.
inline constexpr const char* tpg_attrs[] = {"attrib/generate_node_acls",
					    "attrib/authentication"};
inline constexpr const char* acl_attrs[] = {"auth/userid", "auth/password"};

struct BackstoreNow {
	// vpd_unit_serial without the "T10 VPD Unit Serial Number: " LIO
	// shows before it.
	Attrs attrs;
	std::map<std::string, Attrs> alua_groups; // hps_tpg_<tag> only, by name
};

struct LunNow {
	std::set<std::string> links; // names of the links in lun_<n>/
	std::string alua_group;	     // of "TG Port Alias: <name>"; "" unlinked
};

struct AclNow {
	Attrs attrs;			       // acl_attrs
	std::map<std::string, std::set<std::string>> mapped; // lun_<n> -> its links
};

struct TpgNow {
	Attrs attrs;			  // tpg_attrs and "enable"
	std::set<std::string> portals;	  // np/ names
	std::map<std::string, LunNow> luns; // lun/ names
	std::map<std::string, AclNow> acls; // acls/ names (initiator IQNs)
};

struct TargetNow {
	std::map<std::uint16_t, TpgNow> tpgs;
	std::set<std::string> other_dirs; // tpgt_ names that are no tag, left alone
};

struct LioTree {
	bool hba = false;				 // core/iblock_<hba> is there
	bool iscsi_fabric = false;			 // target/iscsi is there
	std::map<std::uint32_t, BackstoreNow> backstores; // hps's, by volume id
	std::set<std::string> foreign_backstores;	 // others in hps's HBA
	std::map<std::string, TargetNow> targets;	 // hps's, by IQN
};

// The group's name in a LUN's alua_tg_pt_gp as LIO shows it ("TG Port
// Alias: <name>\nTG Port Group ID: ..."), or the text itself.
std::string alua_group_shown(const std::string& text);
// An ALUA group's alua_access_type as written (0..3): LIO shows it as
// "None", "Implicit", "Explicit" or "Implicit and Explicit".
std::string alua_access_type_shown(const std::string& text);
// A vpd_unit_serial as shown, without LIO's label.
std::string unit_serial_shown(const std::string& text);

// Reads nothing but target/.  The error names the path; a missing
// target/core says that target_core_mod is not loaded.  A missing
// target/iscsi is no error: the iSCSI fabric is registered by making it
// (plan_lio() does when there is something to export).
hps::Result<LioTree, std::string> read_lio_tree(Configfs& fs, std::uint32_t hba);

} // namespace hpsd::exports
