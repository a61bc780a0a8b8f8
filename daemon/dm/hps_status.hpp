// SPDX-License-Identifier: GPL-2.0-only
// The status lines of dm-hps's two targets (kmod/FORMAT.md, "Status"), as
// `dmsetup status` prints them after `<start> <length> <type>` -- which is
// also exactly the params text DM_TABLE_STATUS returns.  Tolerant: fields
// are read by position, missing trailing ones are unknown (std::nullopt),
// extra trailing ones are ignored, because the kernel appends fields over
// time and hpsd must keep working with the module it finds.
#pragma once

#include "util/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hps::dm {

// `<abi_version> <block_sectors> <total_blocks> <nr_volumes> <mode> <uuid>
//  <used_blocks> <dirty_blocks> <index_bytes>`
struct PoolStatus {
	std::uint64_t abi_version = 0;
	std::uint64_t block_sectors = 0;
	std::uint64_t total_blocks = 0;
	std::uint64_t nr_volumes = 0;
	std::string mode; // "ok" is healthy; any other word is not
	std::optional<std::string> uuid;
	std::optional<std::uint64_t> used_blocks;
	std::optional<std::uint64_t> dirty_blocks;
	std::optional<std::uint64_t> index_bytes;
};

// Today:   `<role> <mode> <volume_id> <reads> <writes>`
// Planned: `<role> <mode> <volume_id> <cached_blocks> <dirty_blocks>
//           <read_hits> <read_misses> <writes> <write_through> <flushes>
//           <discards> <errors> <state>`
// The 5-field line is the first version's; any other length is read by
// the planned positions.
struct VolumeStatus {
	std::string role;
	std::string mode;
	std::uint32_t volume_id = 0;
	std::optional<std::uint64_t> reads; // first version only
	std::optional<std::uint64_t> cached_blocks;
	std::optional<std::uint64_t> dirty_blocks;
	std::optional<std::uint64_t> read_hits;
	std::optional<std::uint64_t> read_misses;
	std::optional<std::uint64_t> writes;
	std::optional<std::uint64_t> write_through;
	std::optional<std::uint64_t> flushes;
	std::optional<std::uint64_t> discards;
	std::optional<std::uint64_t> errors;
	std::optional<std::string> state;
};

// The leading fields are required; an error names the field and the text.
Result<PoolStatus, std::string> parse_pool_status(std::string_view params);
Result<VolumeStatus, std::string> parse_volume_status(std::string_view params);

} // namespace hps::dm
