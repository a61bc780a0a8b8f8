// SPDX-License-Identifier: GPL-2.0-only
#include "export/lio_writer.hpp"

#include "export/lio_plan.hpp"
#include "export/lio_tree.hpp"
#include "export/plan_apply.hpp"

namespace hpsd::exports {

hps::Result<std::size_t, std::string> LioWriter::apply(const LioState& desired)
{
	auto read = [&desired](Configfs& fs) { return read_lio_tree(fs, desired.hba); };
	return plan_and_apply(fs_, "lio", desired, read, plan_lio);
}

} // namespace hpsd::exports
