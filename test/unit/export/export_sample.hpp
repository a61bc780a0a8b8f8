// SPDX-License-Identifier: GPL-2.0-only
// What the export service tests start from: a cluster id and volumes as
// the volume service reports them.
#pragma once

#include "export/nvmet_desired.hpp"

#include <cstdint>
#include <string>

namespace hps::test {

inline constexpr const char* export_cluster = "6f1c2a9e-03b4-4d5e-9a10-ff001234abcd";

// A 1 GiB volume (image = name); a primary's or secondary's peer is node2.
inline hpsd::exports::ExportVolume export_volume(const std::string& name, std::uint32_t id,
						 hps::volume::VolumeRole role, bool present = true)
{
	const bool alone = role == hps::volume::VolumeRole::standalone;
	return {hps::volume::VolumeRecord{name, id, 0, 1 << 30, name, role, alone ? "" : "node2"},
		present};
}

} // namespace hps::test
