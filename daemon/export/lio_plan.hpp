// SPDX-License-Identifier: GPL-2.0-only
// From what LIO says now to what it shall say: the changes, in an order
// LIO accepts, touching only what differs and what hps owns (hps's HBA and
// its hps_vol_<id> backstores, targets named hps_iqn_prefix).  Pure: the
// writer reads the tree, plans, then applies.
//
// The order follows LIO's rules (drivers/target/target_core_configfs.c,
// target_core_fabric_configfs.c, target_core_alua.c, iscsi/):
//   1. targets no longer wanted go, TPG by TPG: enable 0 first; ACLs
//      (mapped LUN links, mapped LUNs, the ACL); LUNs (back to
//      default_tg_pt_gp, unlinked, removed); portals; the TPG; the target.
//      In kept TPGs, ACLs, LUNs and portals no longer wanted go alike;
//   2. backstores no longer wanted go: their hps ALUA groups (rmdir of a
//      backstore with groups in it is ENOTEMPTY), then the backstore, once
//      no LUN links to it (EBUSY); then the HBA, when nothing is left in
//      it;
//   3. a backstore whose device or unit serial must change is rebuilt:
//      removed as in 1 and 2 and made again (LIO refuses udev_path and
//      vpd_unit_serial while the backstore is exported, and a second
//      enable);
//   4. backstores are made: control udev_path=, udev_path, vpd_unit_serial,
//      then enable (a LUN can only link to an enabled backstore, ENODEV);
//      then the ALUA groups: tg_pt_gp_id (once: a second write is EINVAL),
//      alua_access_type, alua_access_state (needs the id and an enabled
//      backstore);
//   5. targets and TPGs are made: attrib (generate_node_acls 0,
//      authentication), portals, LUN 0 linked to the backstore and put in
//      this node's ALUA group (only a linked LUN takes it, ENODEV), ACLs
//      with CHAP and LUN 0 mapped; hps ALUA groups no longer wanted go
//      once the LUN is out of them; enable 1 last (a second enable is
//      EINVAL, so only when it is 0).
//
// Not undone on failure: enabling a backstore that existed unenabled (LIO
// has no disable; the backstore stays, unexported).
#pragma once

#include "export/configfs_change.hpp"
#include "export/lio_state.hpp"
#include "export/lio_tree.hpp"

#include <string>
#include <vector>

namespace hpsd::exports {

// `desired` must have passed validate().
hps::Result<std::vector<Change>, std::string> plan_lio(const LioState& desired, const LioTree& now);

} // namespace hpsd::exports
