// SPDX-License-Identifier: GPL-2.0-only
// When a dialer (TcpDialer, RdmaDialer) dials again.  Every failed attempt
// (connect or handshake) doubles the delay, from DialOptions' first_retry
// up to max_retry.  A link that lived at least max_retry had been fine: the
// delays start over when it ends.  One that died sooner counts like a
// failure, so a peer that authenticates and then drops us is not dialled
// in a tight loop.  One copy of the policy, so both transports retry alike.
//
// Pure: times are passed in.
#pragma once

#include "replication/dial_options.hpp"

#include <chrono>

namespace hpsd::replication {

class DialBackoff {
public:
	using Clock = std::chrono::steady_clock;

	explicit DialBackoff(DialOptions options) : options_(options) {}

	// An attempt failed: connecting, or the handshake.
	void failed() noexcept
	{
		++failures_;
		++backoff_;
	}
	// An attempt's link was authenticated at `now`.
	void established(Clock::time_point now) noexcept
	{
		established_at_ = now;
		failures_ = 0;
	}
	// The link handed out ended at `now`.
	void link_ended(Clock::time_point now) noexcept;

	// How long to wait before the next attempt.
	std::chrono::milliseconds delay() const noexcept;
	// Attempts that failed since the last link was established; the
	// first of a row is worth a warning, the rest are not.
	unsigned failures() const noexcept { return failures_; }

private:
	DialOptions options_;
	Clock::time_point established_at_{};
	unsigned failures_ = 0; // since the last link was established
	unsigned backoff_ = 0;	// the delay's exponent: failures, and links that died young
};

} // namespace hpsd::replication
