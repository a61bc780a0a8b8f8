// SPDX-License-Identifier: GPL-2.0-only
#include "core/lease_clock.hpp"

namespace hpsd {

std::optional<unsigned> LeaseClock::confirmed(Clock::time_point asked, Clock::time_point now)
{
	if (now < asked)
		now = asked; // a clock never goes back; keep the arithmetic sane
	if (!last_asked_ || asked > *last_asked_)
		last_asked_ = asked;
	if (waiting_for_old_owner(now))
		return std::nullopt;
	const auto end = asked + lease_;
	const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - now);
	if (left.count() <= 0)
		return std::nullopt;
	expires_ = end;
	return static_cast<unsigned>(left.count());
}

} // namespace hpsd
