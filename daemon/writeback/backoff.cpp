// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/backoff.hpp"

#include <algorithm>

namespace hpsd::writeback {

void Backoff::failure(TimePoint now)
{
	if (failures_ < 64)
		++failures_;
	retry_at_ = now + delay();
}

std::chrono::milliseconds Backoff::delay() const noexcept
{
	if (failures_ == 0)
		return std::chrono::milliseconds(0);
	auto delay = initial_;
	// Double until the cap; stops early so it cannot overflow.
	for (unsigned i = 1; i < failures_ && delay < max_; ++i)
		delay *= 2;
	return std::min(delay, max_);
}

} // namespace hpsd::writeback
