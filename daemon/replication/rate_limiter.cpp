// SPDX-License-Identifier: GPL-2.0-only
#include "replication/rate_limiter.hpp"

#include "config/config.hpp"

#include <algorithm>

namespace hpsd::replication {
namespace {

constexpr std::int64_t milli = 1000; // milli-bytes a byte

// So that a caller who reserves without ever waiting cannot overflow the
// credit: one send counts as at most 1 TiB, and the debt stops growing at
// 2^61 milli-bytes (73 years at 1 MB/s).  With mbps <= 2048 and a burst of
// at most 60 s every product below stays under 2^62.
constexpr std::uint64_t max_send_bytes = std::uint64_t{1} << 40;
constexpr std::int64_t min_credit = -(std::int64_t{1} << 61);

unsigned clamp_rate(unsigned mbps) noexcept
{
	return std::min(mbps, max_recovery_bandwidth_mbps);
}

} // namespace

RateLimiter::RateLimiter(unsigned mbps, std::chrono::milliseconds burst)
	: mbps_(clamp_rate(mbps)),
	  burst_ns_(std::chrono::nanoseconds(std::clamp(burst, std::chrono::milliseconds{0}, max_burst))
			    .count())
{
}

std::int64_t RateLimiter::capacity() const noexcept
{
	return burst_ns_ * static_cast<std::int64_t>(mbps_);
}

void RateLimiter::refill(Clock::time_point now)
{
	if (!started_) {
		started_ = true;
		credit_ = capacity();
		last_ = now;
		return;
	}
	if (now <= last_)
		return; // a clock that steps back earns nothing
	const std::int64_t elapsed = std::chrono::nanoseconds(now - last_).count();
	last_ = now;
	const std::int64_t cap = capacity();
	if (credit_ >= cap)
		return;
	const auto rate = static_cast<std::int64_t>(mbps_);
	// Bound elapsed by the time to fill the bucket, so that elapsed x rate
	// cannot overflow after a long idle period.
	const std::int64_t fill_ns = (cap - credit_ + rate - 1) / rate;
	credit_ = elapsed >= fill_ns ? cap : credit_ + elapsed * rate;
}

std::chrono::nanoseconds RateLimiter::delay_for(std::size_t bytes, Clock::time_point now)
{
	if (unlimited())
		return std::chrono::nanoseconds{0};
	// The credit is known as of last_; a `now` before it waits until then too.
	const std::chrono::nanoseconds behind =
		started_ && now < last_ ? std::chrono::nanoseconds(last_ - now)
					: std::chrono::nanoseconds{0};
	refill(now);
	const std::int64_t cost = static_cast<std::int64_t>(
		std::min<std::uint64_t>(bytes, max_send_bytes) * milli);
	// A send larger than the bucket needs only a full one, else it could
	// never go.
	const std::int64_t need = std::min(cost, capacity());
	const auto rate = static_cast<std::int64_t>(mbps_);
	const std::int64_t wait = credit_ >= need ? 0 : (need - credit_ + rate - 1) / rate;
	// Accounted now: the wait earns exactly what the send is short of.
	credit_ = std::max(credit_ - cost, min_credit);
	return behind + std::chrono::nanoseconds(wait);
}

void RateLimiter::set_rate(unsigned mbps)
{
	mbps = clamp_rate(mbps);
	if (mbps == 0 || mbps_ == 0)
		started_ = false; // unlimited keeps no credit; limited again starts full
	mbps_ = mbps;
	credit_ = std::min(credit_, capacity());
}

} // namespace hpsd::replication
