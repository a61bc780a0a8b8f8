// SPDX-License-Identifier: GPL-2.0-only
// What a volume may be called and how big it may be: the checks behind
// `hpsctl volume create`, shared by hpsd (which decides) and the tests.
#pragma once

#include "util/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace hps::volume {

inline constexpr std::size_t max_name_chars = 63;
inline constexpr std::uint64_t size_granularity = 4096;
// HPS_VOLUME_MAX_SECTORS in bytes: 65535 GiB.
inline constexpr std::uint64_t max_size_bytes = 65535ULL << 30;

// 1..63 of [A-Za-z0-9._-], not "." or "..", and not starting with "pool-"
// (the dm name hps-<name> would then clash with a pool's hps-pool-<id>).
// The error is one line naming the value and the rule.
hps::Result<void, std::string> check_volume_name(std::string_view name);

// "10G", "512M", "1T", "4096", "64K" (binary units, optional "iB"/"B":
// 10GiB, 10GB -- all powers of 1024); a multiple of 4096, 4096..65535 GiB.
hps::Result<std::uint64_t, std::string> parse_size(std::string_view text);
// The same checks for a size given in bytes.
hps::Result<void, std::string> check_size(std::uint64_t bytes);

// "10 GiB", "512 MiB", "12345 B": exact when it is, else bytes.
std::string format_size(std::uint64_t bytes);

// The dm device of a volume: hps-<name>.
std::string volume_device_name(std::string_view name);
// Its block device: /dev/mapper/hps-<name>.
std::string volume_device_path(std::string_view name);

} // namespace hps::volume
