// SPDX-License-Identifier: GPL-2.0-only
// The writeback planner's tunables with their defaults, and their
// validation.  Validation reports every bad field at once, naming the field
// and its value, as daemon/config does for hpsd.json; the caller prefixes
// the field names with its own path (e.g. "writeback.") when it has one.
#pragma once

#include "util/result.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hpsd::writeback {

inline constexpr std::uint32_t mib = 1024 * 1024;

struct PlannerConfig {
	// Largest backend write; adjacent extents are coalesced up to it.
	std::uint32_t max_io_bytes = mib;
	// Most ios handed out and not yet completed (the RBD queue depth).
	unsigned max_inflight = 32;
	// Token bucket rate in bytes per second; 0 is unlimited.
	std::uint64_t rate_bytes_per_s = 0;
	// Bucket size; 0 picks the default, see effective_burst_bytes().
	std::uint64_t burst_bytes = 0;
	// Dirty watermarks in percent of the cache, and the hysteresis band
	// (percentage points) a state needs to fall below to be left.
	unsigned low_percent = 10;
	unsigned high_percent = 80;
	unsigned hysteresis_percent = 5;
	// Below the low watermark, write back only extents the planner has held
	// at least this long; none at all when unset.
	std::optional<std::chrono::milliseconds> idle_age = std::chrono::seconds(30);
	// Backoff after a failed io: initial, doubling per failed round, capped.
	std::chrono::milliseconds backoff_initial = std::chrono::seconds(1);
	std::chrono::milliseconds backoff_max = std::chrono::seconds(30);
};

// Limits validate() enforces; named so tests and docs can refer to them.
inline constexpr std::uint32_t min_max_io_bytes = 4096;
inline constexpr std::uint32_t max_max_io_bytes = 64 * mib;
inline constexpr std::uint32_t io_alignment_bytes = 512;
inline constexpr unsigned max_max_inflight = 1024;
// 2^40 B/s (about 1.1 TB/s) keeps the rate limiter's integer arithmetic in
// 64 bits; it is also above hpsd.json's flush_bandwidth_mbps limit.
inline constexpr std::uint64_t max_rate_bytes_per_s = std::uint64_t{1} << 40;
inline constexpr std::uint64_t max_burst_bytes = std::uint64_t{1} << 40;
inline constexpr std::chrono::milliseconds max_backoff = std::chrono::hours(1);

struct ConfigError {
	std::string field;
	std::string message;
};

// One line: `field "low_percent": 80 is not below high_percent (80)`.
std::string to_string(const ConfigError& error);

hps::Result<void, std::vector<ConfigError>> validate(const PlannerConfig& config);

// The bucket size in effect: burst_bytes if set, else a tenth of a second
// at the rate but at least one max-size io (so an io can always go out).
std::uint64_t effective_burst_bytes(const PlannerConfig& config) noexcept;

} // namespace hpsd::writeback
