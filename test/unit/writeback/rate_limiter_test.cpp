// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/rate_limiter.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>

using hpsd::writeback::RateLimiter;
using hpsd::writeback::TimePoint;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t mib = 1024 * 1024;

// Issues `io` bytes whenever allowed, jumping the clock to
// next_issue_time(), over [0, window); returns the bytes issued.
std::uint64_t simulate(RateLimiter& limiter, TimePoint start, std::chrono::nanoseconds window,
		       std::uint64_t io)
{
	std::uint64_t issued = 0;
	TimePoint now = start;
	while (now < start + window) {
		if (limiter.can_issue(io, now)) {
			limiter.consume(io, now);
			issued += io;
			continue;
		}
		TimePoint next = limiter.next_issue_time(io, now);
		REQUIRE(next > now);
		now = next;
	}
	return issued;
}

} // namespace

TEST_CASE("rate limiter: 100 MB/s over 10 s issues 1000 MB within 1%", "[writeback][rate]")
{
	const TimePoint t0{};
	RateLimiter limiter(100'000'000, 10'000'000, t0);
	const std::uint64_t issued = simulate(limiter, t0, 10s, mib);
	INFO("issued " << issued);
	CHECK(issued >= 990'000'000);
	CHECK(issued <= 1'010'000'000);
}

TEST_CASE("rate limiter: exact with odd io sizes and clock steps", "[writeback][rate]")
{
	const TimePoint t0{};
	RateLimiter limiter(3'000'001, 1'000'000, t0);
	// Poll at an odd step (777.777 us) rather than jumping: sub-microsecond
	// remainders must not be lost.
	std::uint64_t issued = 0;
	for (TimePoint now = t0; now < t0 + 2s; now += std::chrono::nanoseconds(777'777)) {
		while (limiter.can_issue(12'345, now)) {
			limiter.consume(12'345, now);
			issued += 12'345;
		}
	}
	// 2 s at 3'000'001 B/s = 6'000'002 bytes, minus at most one io.
	CHECK(issued <= 6'000'002);
	CHECK(issued >= 6'000'002 - 2 * 12'345);
}

TEST_CASE("rate limiter: the bucket starts empty and caps at the burst", "[writeback][rate]")
{
	const TimePoint t0{};
	RateLimiter limiter(1'000'000, 100'000, t0);
	CHECK_FALSE(limiter.can_issue(1, t0));
	CHECK(limiter.next_issue_time(1000, t0) == t0 + 1ms);
	CHECK(limiter.can_issue(1000, t0 + 1ms));
	CHECK_FALSE(limiter.can_issue(1001, t0 + 1ms));
	// A long idle saves up only the burst.
	const TimePoint later = t0 + 1h;
	CHECK(limiter.can_issue(100'000, later));
	limiter.consume(100'000, later);
	CHECK_FALSE(limiter.can_issue(1, later));
}

TEST_CASE("rate limiter: an io bigger than the burst waits for a full bucket, then owes",
	  "[writeback][rate]")
{
	const TimePoint t0{};
	RateLimiter limiter(1'000'000, 100'000, t0);
	CHECK(limiter.next_issue_time(300'000, t0) == t0 + 100ms);
	REQUIRE(limiter.can_issue(300'000, t0 + 100ms));
	limiter.consume(300'000, t0 + 100ms);
	// 200'000 of debt plus 1'000 for the next io: 201 ms.
	CHECK(limiter.next_issue_time(1000, t0 + 100ms) == t0 + 301ms);
}

TEST_CASE("rate limiter: unlimited always issues", "[writeback][rate]")
{
	const TimePoint t0{};
	RateLimiter limiter(0, 0, t0);
	CHECK(limiter.unlimited());
	for (int i = 0; i < 1000; ++i) {
		REQUIRE(limiter.can_issue(64 * mib, t0));
		limiter.consume(64 * mib, t0);
	}
	CHECK(limiter.next_issue_time(64 * mib, t0) == t0);
}

TEST_CASE("rate limiter: reconfigure changes the rate", "[writeback][rate]")
{
	const TimePoint t0{};
	RateLimiter limiter(1'000'000, 1'000'000, t0);
	limiter.reconfigure(10'000'000, 1'000'000, t0);
	CHECK(limiter.next_issue_time(10'000, t0) == t0 + 1ms);
	limiter.reconfigure(0, 0, t0);
	CHECK(limiter.can_issue(10'000, t0));
}
