// SPDX-License-Identifier: GPL-2.0-only
// The one shape of every export writer's apply(): check the desired state,
// read what configfs says now, plan the changes, make them (undone on
// failure, configfs_change.hpp).  `who` ("nvmet", "lio") opens the
// writer's own errors.
#pragma once

#include "export/configfs_change.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace hpsd::exports {

template <class State, class Read, class Plan>
hps::Result<std::size_t, std::string> plan_and_apply(Configfs& fs, std::string_view who,
						     const State& desired, Read read, Plan plan)
{
	const std::string prefix = std::string(who) + ": ";
	if (auto ok = validate(desired); !ok)
		return hps::fail(prefix + ok.error());
	auto now = read(fs);
	if (!now)
		return hps::fail(std::move(now).error());
	auto changes = plan(desired, *now);
	if (!changes)
		return hps::fail(std::move(changes).error());
	if (auto ok = apply_changes(fs, *changes); !ok)
		return hps::fail(prefix + ok.error());
	return changes->size();
}

} // namespace hpsd::exports
