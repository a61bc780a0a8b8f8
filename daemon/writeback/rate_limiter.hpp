// SPDX-License-Identifier: GPL-2.0-only
// Token bucket in bytes per second for the writeback's backend bandwidth
// (the cluster's "flush bandwidth").  Time is always passed in, never read,
// so tests can simulate hours in microseconds.
//
// Integer arithmetic throughout, with no drift: credit is kept in
// micro-bytes (1e-6 B) and time in whole microseconds, so rate x elapsed is
// exact; the sub-microsecond remainder of each elapsed interval stays in the
// clock reading for next time.  With rate <= 2^40 B/s and burst <= 2^40 B
// every product fits in 63 bits.
#pragma once

#include "writeback/extent.hpp"

#include <cstdint>

namespace hpsd::writeback {

class RateLimiter {
public:
	// rate_bytes_per_s 0: unlimited.  The bucket starts empty so that a
	// (re)started engine ramps up instead of bursting: the burst is what an
	// idle period saves up.
	RateLimiter(std::uint64_t rate_bytes_per_s, std::uint64_t burst_bytes, TimePoint now);

	bool unlimited() const noexcept { return rate_ == 0; }
	std::uint64_t rate_bytes_per_s() const noexcept { return rate_; }
	std::uint64_t burst_bytes() const noexcept { return burst_; }

	// True when an io of `bytes` may go out now.  An io bigger than the
	// burst needs a full bucket and then leaves it in debt, which later
	// refills repay, so the long-run rate holds for any io size.
	bool can_issue(std::uint64_t bytes, TimePoint now);
	// Takes `bytes` from the bucket (call when issuing).
	void consume(std::uint64_t bytes, TimePoint now);
	// The earliest time can_issue(bytes) becomes true; `now` if it is.
	TimePoint next_issue_time(std::uint64_t bytes, TimePoint now);

	// Changes the rate and burst, keeping the credit saved so far (capped).
	void reconfigure(std::uint64_t rate_bytes_per_s, std::uint64_t burst_bytes, TimePoint now);

private:
	void refill(TimePoint now);
	std::int64_t needed(std::uint64_t bytes) const noexcept;

	std::uint64_t rate_;
	std::uint64_t burst_;
	std::int64_t credit_ = 0; // micro-bytes; negative while in debt
	TimePoint last_;
};

} // namespace hpsd::writeback
