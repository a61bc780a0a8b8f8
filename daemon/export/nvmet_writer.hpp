// SPDX-License-Identifier: GPL-2.0-only
// Export (nvmet): makes the kernel's NVMe-oF target say what NvmetState
// says (design.md, "Export to compute hosts").  Per volume a subsystem
// nqn.2014-08.org.hps:vol:<id> (allow_any_host 0, model "hps", serial and
// namespace UUID derived from the cluster id and the volume id, so that
// every node and every boot export the same namespace), namespace 1 on the
// volume's dm device, its hosts in allowed_hosts, linked to every port of
// this node; per port the ANA groups of nvmet_names.hpp.
//
// apply() reads nvmet/ each time and changes only what differs, so that it
// can be called after every change of the desired state, after a restart
// (configfs outlives hpsd) and after a reboot (configfs starts empty):
// applying the same state twice writes nothing.  It touches only what hps
// owns (nvmet_plan.hpp); others' subsystems, ports and hosts stay as they
// are.  A change that fails undoes the ones this call made before it, so
// configfs is left as it was.
#pragma once

#include "export/configfs.hpp"
#include "export/nvmet_state.hpp"

#include <cstddef>
#include <string>

namespace hpsd::exports {

class NvmetWriter {
public:
	explicit NvmetWriter(Configfs& fs) : fs_(fs) {}

	// The number of changes made (0: configfs already said it).  A
	// `desired` that fails validate() is refused with its error and
	// nothing is changed; any other error names the path and the value
	// (configfs_change.hpp).
	hps::Result<std::size_t, std::string> apply(const NvmetState& desired);

private:
	Configfs& fs_;
};

} // namespace hpsd::exports
