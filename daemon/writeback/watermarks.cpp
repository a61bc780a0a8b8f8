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

} // namespace hpsd::writeback
