// SPDX-License-Identifier: GPL-2.0-only
// From what nvmet says now to what it shall say: the changes, in an order
// the kernel accepts, and touching only what differs and what hps owns
// (hps's subsystems, ports in owned_ports, the hosts only hps's subsystems
// used).  Pure: the writer reads the tree, plans, then applies.
//
// The order follows nvmet's rules (drivers/nvme/target/configfs.c):
//   1. ports whose address must change are unlinked from hps's subsystems
//      (addr_* are refused while a subsystem is linked, EACCES);
//   2. volumes no longer wanted go: unlinked from every port, namespace
//      disabled and removed, hosts unlinked, subsystem removed; then ports
//      no longer wanted, once nothing is linked to them; then namespaces
//      and hosts a kept volume no longer has;
//   3. hosts/ entries are made before anything links to them;
//   4. ports are made or changed, with the five ANA groups (nvmet_names.hpp);
//   5. volumes are made or changed: allow_any_host 0 before the first host
//      is linked (the two exclude each other); a namespace's device_path
//      and device_uuid only while it is disabled (EBUSY), so it is disabled
//      first when they must change; ana_grpid while enabled (nvmet allows
//      it); a new subsystem's serial and model before it is on a port
//      (nvmet refuses them once a host has seen them, so a changed serial
//      of an exported subsystem fails, and is undone);
//   6. volumes are linked to every port, now that they are complete;
//   7. hosts/ entries that hps's subsystems linked and nothing links now
//      are removed (a linked host cannot be).
#pragma once

#include "export/configfs_change.hpp"
#include "export/nvmet_state.hpp"
#include "export/nvmet_tree.hpp"

#include <string>
#include <vector>

namespace hpsd::exports {

// `desired` must have passed validate().  Fails, before any change, when
// the change needs what hps must not do: e.g. a port whose address must
// change while a subsystem that is not hps's is linked to it.
hps::Result<std::vector<Change>, std::string> plan_nvmet(const NvmetState& desired,
							 const NvmetTree& now);

} // namespace hpsd::exports
