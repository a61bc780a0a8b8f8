// SPDX-License-Identifier: GPL-2.0-only
// The timing of one replicated primary's ownership lease (kmod/FORMAT.md,
// "Ownership lease"), in hpsd's steady clock.  Pure logic: the keeper
// (lease_keeper.hpp) asks Ceph and talks to the kernel.
//
// A lease given to the kernel is counted from when Ceph was *asked*, not
// from when it answered: a slow answer must never stretch the time this
// node serves past one lease after it last could have owned the volume.
// That bound is what a promotion elsewhere waits out before serving.
#pragma once

#include <chrono>
#include <optional>

namespace hpsd {

class LeaseClock {
public:
	using Clock = std::chrono::steady_clock;

	explicit LeaseClock(std::chrono::milliseconds lease) : lease_(lease) {}

	// This node just took the volume from another (promotion): that
	// node's lease, confirmed at the latest before it was fenced, has run
	// out one lease from `now`; serve no earlier.
	void wait_for_old_owner(Clock::time_point now) { not_before_ = now + lease_; }
	bool waiting_for_old_owner(Clock::time_point now) const { return now < not_before_; }

	// Ceph answered "this hpsd holds it" to a question asked at `asked`:
	// the milliseconds of lease to give the kernel now, or nullopt when
	// there are none (the old owner's lease may still run, or the answer
	// came after the lease it would give had run out).
	std::optional<unsigned> confirmed(Clock::time_point asked, Clock::time_point now);

	// When the lease last given runs out (nullopt: none given yet).
	std::optional<Clock::time_point> expires() const { return expires_; }
	std::optional<Clock::time_point> last_confirmed() const { return last_asked_; }
	bool holds(Clock::time_point now) const { return expires_ && now < *expires_; }
	std::chrono::milliseconds lease() const { return lease_; }

private:
	std::chrono::milliseconds lease_;
	Clock::time_point not_before_{};
	std::optional<Clock::time_point> last_asked_;
	std::optional<Clock::time_point> expires_;
};

} // namespace hpsd
