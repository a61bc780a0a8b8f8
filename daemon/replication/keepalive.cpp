// SPDX-License-Identifier: GPL-2.0-only
#include "replication/keepalive.hpp"

#include <algorithm>

namespace hpsd::replication {

Keepalive::Due Keepalive::due(TimePoint now, bool sending) const noexcept
{
	if (now - received_ >= timeout_)
		return Due::silent;
	if (sending && now - progressed_ >= timeout_)
		return Due::stalled;
	if (now - queued_ >= interval_)
		return Due::ping;
	return Due::nothing;
}

Keepalive::TimePoint Keepalive::next(bool sending) const noexcept
{
	TimePoint at = std::min(received_ + timeout_, queued_ + interval_);
	if (sending)
		at = std::min(at, progressed_ + timeout_);
	return at;
}

} // namespace hpsd::replication
