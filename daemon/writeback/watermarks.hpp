// SPDX-License-Identifier: GPL-2.0-only
// Dirty watermarks: how hard writeback should work given how much of the
// cache is dirty.
//
//   idle    below low: write back only old extents (PlannerConfig::idle_age)
//   active  between: write back at the configured rate
//   urgent  at or above high: ignore the rate limit, and the kernel
//           throttles (delays, never fails) new writes
//
// Hysteresis: a state is entered when the dirty ratio reaches its
// watermark but left only when the ratio falls below the watermark minus
// `hysteresis_percent` points.  With the defaults (10/80/5) writeback starts
// at 10 % and stops at 5 %, throttling starts at 80 % and stops below 75 %,
// so a cache hovering at a watermark does not flip state (and the kernel's
// throttle on and off) on every update.  Rising is immediate: reaching high
// from idle goes straight to urgent.  If hysteresis_percent >= low_percent
// the active state, once entered, is never left for idle (its exit would
// be below 0 %); that is allowed, it just means "always write back".
#pragma once

#include <cstdint>
#include <string_view>

namespace hpsd::writeback {

enum class Pressure { idle, active, urgent };

std::string_view to_string(Pressure pressure) noexcept;

// The state after `current` given dirty and capacity in bytes; percentages
// as in PlannerConfig (validated: low < high <= 100, hysteresis < high - low).
// Exact integer comparison of dirty / capacity against percent / 100.  A
// capacity of 0 counts as empty when nothing is dirty and full otherwise.
Pressure next_pressure(Pressure current, std::uint64_t dirty_bytes, std::uint64_t capacity_bytes,
		       unsigned low_percent, unsigned high_percent,
		       unsigned hysteresis_percent) noexcept;

// How long the kernel delays each new write while urgent: throttle_min_us
// at the high watermark (and below it, during the hysteresis), growing
// linearly to throttle_max_us when everything is dirty, so writers slow
// down the further writeback falls behind.  0 when not urgent.  The kernel
// rounds up to a jiffy (4 ms at Debian's HZ=250).
inline constexpr std::uint32_t throttle_min_us = 1000;
inline constexpr std::uint32_t throttle_max_us = 50000; // <= HPS_WB_THROTTLE_MAX_US
std::uint32_t throttle_delay_us(Pressure pressure, std::uint64_t dirty_bytes,
				std::uint64_t capacity_bytes, unsigned high_percent) noexcept;

class Watermarks {
public:
	Watermarks(unsigned low_percent, unsigned high_percent, unsigned hysteresis_percent)
		: low_(low_percent), high_(high_percent), hysteresis_(hysteresis_percent)
	{
	}

	Pressure update(std::uint64_t dirty_bytes, std::uint64_t capacity_bytes) noexcept
	{
		state_ = next_pressure(state_, dirty_bytes, capacity_bytes, low_, high_, hysteresis_);
		dirty_ = dirty_bytes;
		capacity_ = capacity_bytes;
		return state_;
	}
	Pressure state() const noexcept { return state_; }
	// What the engine tells the kernel: delay new writes while urgent.
	bool throttle_writes() const noexcept { return state_ == Pressure::urgent; }
	std::uint32_t throttle_us() const noexcept
	{
		return throttle_delay_us(state_, dirty_, capacity_, high_);
	}

private:
	unsigned low_;
	unsigned high_;
	unsigned hysteresis_;
	Pressure state_ = Pressure::idle;
	std::uint64_t dirty_ = 0;
	std::uint64_t capacity_ = 0;
};

} // namespace hpsd::writeback
