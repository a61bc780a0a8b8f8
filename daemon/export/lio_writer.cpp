// SPDX-License-Identifier: GPL-2.0-only
#include "export/lio_writer.hpp"

#include "export/configfs_change.hpp"
#include "export/lio_plan.hpp"
#include "export/lio_tree.hpp"

namespace hpsd::exports {

hps::Result<std::size_t, std::string> LioWriter::apply(const LioState& desired)
{
	if (auto ok = validate(desired); !ok)
		return hps::fail("lio: " + ok.error());
	auto now = read_lio_tree(fs_, desired.hba);
	if (!now)
		return hps::fail(std::move(now).error());
	auto changes = plan_lio(desired, *now);
	if (!changes)
		return hps::fail(std::move(changes).error());
	if (auto ok = apply_changes(fs_, *changes); !ok)
		return hps::fail("lio: " + ok.error());
	return changes->size();
}

} // namespace hpsd::exports
