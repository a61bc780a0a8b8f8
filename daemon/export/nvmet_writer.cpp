// SPDX-License-Identifier: GPL-2.0-only
#include "export/nvmet_writer.hpp"

#include "export/configfs_change.hpp"
#include "export/nvmet_plan.hpp"
#include "export/nvmet_tree.hpp"

namespace hpsd::exports {

hps::Result<std::size_t, std::string> NvmetWriter::apply(const NvmetState& desired)
{
	if (auto ok = validate(desired); !ok)
		return hps::fail("nvmet: " + ok.error());
	auto now = read_nvmet_tree(fs_, desired.owned_ports);
	if (!now)
		return hps::fail(std::move(now).error());
	auto changes = plan_nvmet(desired, *now);
	if (!changes)
		return hps::fail(std::move(changes).error());
	if (auto ok = apply_changes(fs_, *changes); !ok)
		return hps::fail("nvmet: " + ok.error());
	return changes->size();
}

} // namespace hpsd::exports
