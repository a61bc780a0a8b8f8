// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/rate_limiter.hpp"

#include <algorithm>

namespace hpsd::writeback {
namespace {

constexpr std::int64_t micro = 1'000'000;
// Bounds on one consume() and on the debt, so a caller that consumes
// without asking can_issue() first cannot overflow the credit.
constexpr std::uint64_t max_consume_bytes = std::uint64_t{1} << 40;
constexpr std::int64_t min_credit = -(std::int64_t{1} << 42) * micro;

} // namespace

RateLimiter::RateLimiter(std::uint64_t rate_bytes_per_s, std::uint64_t burst_bytes, TimePoint now)
	: rate_(rate_bytes_per_s), burst_(std::max<std::uint64_t>(burst_bytes, 1)), last_(now)
{
}

void RateLimiter::reconfigure(std::uint64_t rate_bytes_per_s, std::uint64_t burst_bytes,
			      TimePoint now)
{
	refill(now);
	rate_ = rate_bytes_per_s;
	burst_ = std::max<std::uint64_t>(burst_bytes, 1);
	credit_ = std::min(credit_, static_cast<std::int64_t>(burst_) * micro);
}

void RateLimiter::refill(TimePoint now)
{
	if (now <= last_)
		return; // a clock that steps back is ignored rather than trusted
	auto elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(now - last_).count();
	last_ += std::chrono::microseconds(elapsed_us);
	if (rate_ == 0)
		return;
	const std::int64_t cap = static_cast<std::int64_t>(burst_) * micro;
	if (credit_ >= cap)
		return;
	const auto rate = static_cast<std::int64_t>(rate_);
	// Bound elapsed by the time to fill the bucket so rate x elapsed
	// cannot overflow after a long idle period.
	const std::int64_t fill_us = (cap - credit_ + rate - 1) / rate;
	if (elapsed_us >= fill_us)
		credit_ = cap;
	else
		credit_ += rate * elapsed_us;
}

std::int64_t RateLimiter::needed(std::uint64_t bytes) const noexcept
{
	return static_cast<std::int64_t>(std::min(bytes, burst_)) * micro;
}

bool RateLimiter::can_issue(std::uint64_t bytes, TimePoint now)
{
	if (rate_ == 0)
		return true;
	refill(now);
	return credit_ >= needed(bytes);
}

void RateLimiter::consume(std::uint64_t bytes, TimePoint now)
{
	if (rate_ == 0)
		return;
	refill(now);
	credit_ -= static_cast<std::int64_t>(std::min(bytes, max_consume_bytes)) * micro;
	credit_ = std::max(credit_, min_credit);
}

TimePoint RateLimiter::next_issue_time(std::uint64_t bytes, TimePoint now)
{
	if (can_issue(bytes, now))
		return now;
	const auto rate = static_cast<std::int64_t>(rate_);
	const std::int64_t wait_us = (needed(bytes) - credit_ + rate - 1) / rate;
	// last_ is within a microsecond before now, so this is never before now.
	return last_ + std::chrono::microseconds(wait_us);
}

} // namespace hpsd::writeback
