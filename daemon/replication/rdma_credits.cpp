// SPDX-License-Identifier: GPL-2.0-only
#include "replication/rdma_credits.hpp"

#include <algorithm>
#include <cassert>

namespace hpsd::replication {

RdmaCredits::RdmaCredits(std::uint32_t window) noexcept
	: window_(std::clamp<std::uint32_t>(window, 1, max_window))
{
}

void RdmaCredits::spend() noexcept
{
	assert(available_ > 0);
	available_--;
}

bool RdmaCredits::granted(std::uint32_t credits) noexcept
{
	// The peer's window is its own (it may differ from ours), but no
	// side's is larger than max_window: more means it counts buffers it
	// has not posted, and the count must not wrap.
	if (credits > max_window || available_ + credits > max_window)
		return false;
	available_ += credits;
	return true;
}

std::uint32_t RdmaCredits::take_owed() noexcept
{
	const std::uint32_t owed = owed_;
	owed_ = 0;
	return owed;
}

} // namespace hpsd::replication
