// SPDX-License-Identifier: GPL-2.0-only
// The recovery bandwidth limit (config recovery_bandwidth_mbps): how long
// resync must wait before sending the next bytes, so that a returning peer
// does not take the link and the NVMe from application writes.
//
// A token bucket in the form resync wants: delay_for() both answers how
// long to wait and accounts the bytes at once, as sent when the wait is
// over, so a caller that reserves several sends in a row gets each one
// pushed back behind the others.  The bucket holds at most `burst` worth
// of the rate: that is all an idle period saves up.  A send larger than
// that may go once the bucket is full and leaves it in debt, which delays
// the next ones, so the long-run average never exceeds the rate whatever
// the sizes.  The bucket starts full: nothing was sent before.
//
// The writeback's limiter (writeback/rate_limiter.hpp) is the same idea
// with a can_issue/consume interface in micro-bytes; this one keeps its
// own arithmetic so replication does not depend on the writeback.
//
// Integer arithmetic, no drift: credit is kept in milli-bytes, so that at
// `mbps` MB/s (10^6 bytes a second) one nanosecond earns exactly `mbps`
// of them; time is in nanoseconds.  `now` is always passed in, never read.
//
// One volume's (or one node's) resync, one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace hpsd::replication {

class RateLimiter {
public:
	using Clock = std::chrono::steady_clock;
	static constexpr std::chrono::milliseconds default_burst{50};
	static constexpr std::chrono::milliseconds max_burst{60'000};

	// `mbps`: 0 for unlimited, else MB/s, at most
	// max_recovery_bandwidth_mbps (larger is taken as that; the config
	// refuses it before).  `burst` is clamped to 0..max_burst.
	explicit RateLimiter(unsigned mbps, std::chrono::milliseconds burst = default_burst);

	// How long to wait from `now` before sending `bytes` (zero: send now);
	// the bytes are accounted as sent then.  Always zero when unlimited.
	std::chrono::nanoseconds delay_for(std::size_t bytes, Clock::time_point now);

	// A new rate (a config change), from the next delay_for() on: the time
	// since the last call earns credit at the new rate.  Credit saved is
	// kept up to the new burst; coming from unlimited, the bucket is full.
	void set_rate(unsigned mbps);

	unsigned mbps() const noexcept { return mbps_; }
	bool unlimited() const noexcept { return mbps_ == 0; }

private:
	void refill(Clock::time_point now);
	std::int64_t capacity() const noexcept; // milli-bytes

	unsigned mbps_;
	std::int64_t burst_ns_;
	std::int64_t credit_ = 0; // milli-bytes at last_; negative while in debt
	Clock::time_point last_{};
	bool started_ = false; // false: the next call finds the bucket full
};

} // namespace hpsd::replication
