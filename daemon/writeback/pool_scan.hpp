// SPDX-License-Identifier: GPL-2.0-only
// The pools this node has now: the dm devices named hps-pool-<id>
// (kmod/FORMAT.md's naming convention, which hpsd's volume service and the
// lab both follow).  Listing /dev/mapper also finds pools set up by hand.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace hpsd::writeback {

// "hps-pool-17" -> 17; nothing for any other name or an id over 255.
std::optional<std::uint32_t> pool_id_of_dm_name(std::string_view name);

// Sorted pool ids of the hps-pool-<id> entries in `mapper_dir`.
std::vector<std::uint32_t> scan_pools(const std::filesystem::path& mapper_dir = "/dev/mapper");

} // namespace hpsd::writeback
