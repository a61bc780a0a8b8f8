// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/watermarks.hpp"

#include <algorithm>
#include <limits>

namespace hpsd::writeback {
namespace {

// dirty / capacity >= percent / 100, exactly: dirty * 100 >= percent *
// capacity.  Sizes past 2^64 / 100 bytes (180 PB) are scaled down first,
// which only loses precision far below a percent.
bool at_least(std::uint64_t dirty, std::uint64_t capacity, unsigned percent) noexcept
{
	dirty = std::min(dirty, capacity);
	while (capacity > std::numeric_limits<std::uint64_t>::max() / 100) {
		dirty >>= 1;
		capacity >>= 1;
	}
	return dirty * 100 >= std::uint64_t{percent} * capacity;
}

} // namespace

std::string_view to_string(Pressure pressure) noexcept
{
	switch (pressure) {
	case Pressure::idle:
		return "idle";
	case Pressure::active:
		return "active";
	case Pressure::urgent:
		return "urgent";
	}
	return "unknown";
}

Pressure next_pressure(Pressure current, std::uint64_t dirty_bytes, std::uint64_t capacity_bytes,
		       unsigned low_percent, unsigned high_percent,
		       unsigned hysteresis_percent) noexcept
{
	if (capacity_bytes == 0)
		return dirty_bytes == 0 ? Pressure::idle : Pressure::urgent;

	const bool reaches_high = at_least(dirty_bytes, capacity_bytes, high_percent);
	const bool stays_urgent =
		high_percent > hysteresis_percent
			? at_least(dirty_bytes, capacity_bytes, high_percent - hysteresis_percent)
			: true;
	const bool reaches_low = at_least(dirty_bytes, capacity_bytes, low_percent);
	const bool stays_active =
		low_percent > hysteresis_percent
			? at_least(dirty_bytes, capacity_bytes, low_percent - hysteresis_percent)
			: true;

	if (reaches_high || (current == Pressure::urgent && stays_urgent))
		return Pressure::urgent;
	if (reaches_low || (current != Pressure::idle && stays_active))
		return Pressure::active;
	return Pressure::idle;
}

std::uint32_t throttle_delay_us(Pressure pressure, std::uint64_t dirty_bytes,
				std::uint64_t capacity_bytes, unsigned high_percent) noexcept
{
	if (pressure != Pressure::urgent)
		return 0;
	if (capacity_bytes == 0 || high_percent >= 100)
		return throttle_max_us;
	// Where the dirty ratio is between high and 100 %, in 1/1000ths.
	dirty_bytes = std::min(dirty_bytes, capacity_bytes);
	while (capacity_bytes > std::numeric_limits<std::uint64_t>::max() / 100000) {
		dirty_bytes >>= 1;
		capacity_bytes >>= 1;
	}
	const std::uint64_t high = std::uint64_t{high_percent} * capacity_bytes;
	const std::uint64_t dirty = dirty_bytes * 100;
	const std::uint64_t over = dirty > high ? (dirty - high) * 1000 / (100 * capacity_bytes - high) : 0;
	return throttle_min_us +
	       static_cast<std::uint32_t>(over * (throttle_max_us - throttle_min_us) / 1000);
}

} // namespace hpsd::writeback
