// SPDX-License-Identifier: GPL-2.0-only
// Exponential backoff for a backend (Ceph) that fails ios: the delay
// doubles with each failed round, from `initial` up to `max`, and one
// success ends it.  Time is passed in, never read.
#pragma once

#include "writeback/extent.hpp"

#include <chrono>

namespace hpsd::writeback {

class Backoff {
public:
	Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
		: initial_(initial), max_(max)
	{
	}

	// A failed round ending at `now`: the next try waits delay() from now.
	void failure(TimePoint now);
	void success() noexcept { failures_ = 0; }

	bool active() const noexcept { return failures_ > 0; }
	unsigned failures() const noexcept { return failures_; }
	// The wait after the latest failure: initial * 2^(failures - 1), capped.
	std::chrono::milliseconds delay() const noexcept;
	// No retry before this while active().
	TimePoint retry_at() const noexcept { return retry_at_; }

private:
	std::chrono::milliseconds initial_;
	std::chrono::milliseconds max_;
	unsigned failures_ = 0;
	TimePoint retry_at_{};
};

} // namespace hpsd::writeback
