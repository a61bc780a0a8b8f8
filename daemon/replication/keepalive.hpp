// SPDX-License-Identifier: GPL-2.0-only
// When a link pings its peer and when it gives the peer up.  Both sides
// PING after `interval` without sending anything, and the peer answers
// PONG, so a live peer is heard from at least every interval or so even
// when no data flows.  The peer is lost when nothing at all arrived for
// `timeout` (dead host, hung hpsd, cut link: TCP alone would take minutes
// to notice), or when frames wait to be sent and the connection took none
// of their bytes for `timeout` (the peer stopped reading).
//
// Pure: times are passed in.
#pragma once

#include <chrono>
#include <cstdint>

namespace hpsd::replication {

class Keepalive {
public:
	using Clock = std::chrono::steady_clock;
	using TimePoint = Clock::time_point;

	enum class Due : std::uint8_t {
		nothing,
		ping,	 // send a PING
		silent,	 // nothing received for `timeout`
		stalled, // bytes to send and none taken for `timeout`
	};

	Keepalive(std::chrono::milliseconds interval, std::chrono::milliseconds timeout, TimePoint now)
		: interval_(interval), timeout_(timeout), received_(now), queued_(now), progressed_(now)
	{
	}

	// Bytes arrived.
	void received(TimePoint now) noexcept { received_ = now; }
	// A frame was queued: the link is not idle.  `was_empty`: nothing was
	// waiting before, so the time to get it out starts now.
	void queued(TimePoint now, bool was_empty) noexcept
	{
		queued_ = now;
		if (was_empty)
			progressed_ = now;
	}
	// The connection took some of the queued bytes.
	void progressed(TimePoint now) noexcept { progressed_ = now; }

	// What is due at `now`; `sending`: frames are waiting to go out.
	Due due(TimePoint now, bool sending) const noexcept;
	// When due() may next say something other than `nothing`.
	TimePoint next(bool sending) const noexcept;

	std::chrono::milliseconds timeout() const noexcept { return timeout_; }

private:
	std::chrono::milliseconds interval_;
	std::chrono::milliseconds timeout_;
	TimePoint received_;
	TimePoint queued_;
	TimePoint progressed_;
};

} // namespace hpsd::replication
