// SPDX-License-Identifier: GPL-2.0-only
// Export (LIO iSCSI): makes the kernel's SCSI target say what LioState
// says (design.md, "Export to compute hosts"; lio_state.hpp, lio_plan.hpp).
// As NvmetWriter: apply() reads target/ each time and changes only what
// differs, so that applying the same state twice writes nothing; it
// touches only what hps owns; a change that fails undoes the ones this
// call made before it.
#pragma once

#include "export/configfs.hpp"
#include "export/lio_state.hpp"

#include <cstddef>
#include <string>

namespace hpsd::exports {

class LioWriter {
public:
	explicit LioWriter(Configfs& fs) : fs_(fs) {}

	// The number of changes made (0: configfs already said it).  A
	// `desired` that fails validate() is refused with its error and
	// nothing is changed; any other error names the path and the value.
	hps::Result<std::size_t, std::string> apply(const LioState& desired);

private:
	Configfs& fs_;
};

} // namespace hpsd::exports
