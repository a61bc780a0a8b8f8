// SPDX-License-Identifier: GPL-2.0-only
#include "replication/dial_backoff.hpp"

#include <algorithm>

namespace hpsd::replication {

void DialBackoff::link_ended(Clock::time_point now) noexcept
{
	if (now - established_at_ >= options_.max_retry)
		backoff_ = 0;
	++backoff_;
}

// first_retry * 2^(backoff - 1), at most max_retry.
std::chrono::milliseconds DialBackoff::delay() const noexcept
{
	auto d = options_.first_retry;
	for (unsigned i = 1; i < backoff_ && d < options_.max_retry; i++)
		d *= 2;
	return std::min(d, options_.max_retry);
}

} // namespace hpsd::replication
