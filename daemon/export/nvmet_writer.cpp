// SPDX-License-Identifier: GPL-2.0-only
#include "export/nvmet_writer.hpp"

#include "export/nvmet_plan.hpp"
#include "export/nvmet_tree.hpp"
#include "export/plan_apply.hpp"

namespace hpsd::exports {

hps::Result<std::size_t, std::string> NvmetWriter::apply(const NvmetState& desired)
{
	auto read = [&desired](Configfs& fs) { return read_nvmet_tree(fs, desired.owned_ports); };
	return plan_and_apply(fs_, "nvmet", desired, read, plan_nvmet);
}

} // namespace hpsd::exports
