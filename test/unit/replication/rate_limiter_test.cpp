// SPDX-License-Identifier: GPL-2.0-only
// The recovery bandwidth limit: a simulated clock advanced by the delays
// the limiter returns, so hours of resync take microseconds.
#include "replication/rate_limiter.hpp"

#include "config/config.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>

using hpsd::replication::RateLimiter;
using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

namespace {

constexpr std::uint64_t mib = 1024 * 1024;
const Clock::time_point t0{};

} // namespace

TEST_CASE("recovery limiter: 100 MB in 1 MiB pieces at 10 MB/s takes 10 s", "[replication][rate]")
{
	RateLimiter limiter(10);
	Clock::time_point now = t0;
	std::uint64_t left = 100'000'000;
	while (left > 0) {
		const std::uint64_t piece = std::min(left, mib);
		now += limiter.delay_for(piece, now);
		left -= piece;
	}
	// When the last piece may go, and when the bytes are all paid for.
	const Clock::time_point last_piece = now;
	const Clock::time_point paid = now + limiter.delay_for(0, now);
	INFO("last piece at " << (last_piece - t0).count() << " ns, paid at "
			      << (paid - t0).count() << " ns");
	CHECK(last_piece - t0 >= 9'900ms);
	CHECK(paid - t0 <= 10'100ms);
	// Exactly: the 50 ms burst (500 kB) went out at once, the rest at the
	// rate, rounded up by at most a nanosecond a piece.
	CHECK(last_piece - t0 >= 9'950ms);
	CHECK(last_piece - t0 <= 9'950ms + 100ns);
	CHECK(paid == last_piece);
}

TEST_CASE("recovery limiter: bytes sent never pass the burst plus the rate", "[replication][rate]")
{
	// Odd rate and size, and idle gaps now and then.
	RateLimiter limiter(3);
	const std::int64_t burst_mb = 50'000'000 * 3; // milli-bytes: 50 ms at 3 MB/s
	const std::uint64_t piece = 12'345;
	Clock::time_point now = t0;
	std::uint64_t sent = 0;
	for (int i = 0; i < 20'000; ++i) {
		now += limiter.delay_for(piece, now);
		sent += piece;
		const std::int64_t elapsed = std::chrono::nanoseconds(now - t0).count();
		REQUIRE(static_cast<std::int64_t>(sent) * 1000 <= burst_mb + elapsed * 3);
		if (i % 1000 == 999)
			now += 7ms;
	}
	// 246.9 MB at 3 MB/s: 82.3 s, less the first burst, plus what the
	// gaps could not save beyond a burst each.
	const auto elapsed = now - t0;
	CHECK(elapsed >= 82'250ms);
	CHECK(elapsed <= 82'300ms + 20 * 7ms);
}

TEST_CASE("recovery limiter: reservations in a row queue up behind each other", "[replication][rate]")
{
	RateLimiter limiter(10);
	// The first MiB goes at once (the bucket starts full, 500 kB) ...
	CHECK(limiter.delay_for(mib, t0) == 0ns);
	// ... each next one waits 1 MiB / 10 MB/s = 104.8576 ms more.
	CHECK(limiter.delay_for(mib, t0) == 104'857'600ns);
	CHECK(limiter.delay_for(mib, t0) == 209'715'200ns);
	CHECK(limiter.delay_for(mib, t0 + 209'715'200ns) == 104'857'600ns);
}

TEST_CASE("recovery limiter: unlimited never delays", "[replication][rate]")
{
	RateLimiter limiter(0);
	CHECK(limiter.unlimited());
	for (int i = 0; i < 1000; ++i)
		CHECK(limiter.delay_for(std::size_t{1} << 40, t0) == 0ns);
}

TEST_CASE("recovery limiter: set_rate applies from the next call", "[replication][rate]")
{
	RateLimiter limiter(1); // burst 50 kB
	CHECK(limiter.delay_for(1'000'000, t0) == 0ns);
	// 950 kB of debt: at 1 MB/s it is paid after 950 ms ...
	CHECK(limiter.delay_for(0, t0) == 950ms);
	// ... at 10 MB/s after 95 ms.
	limiter.set_rate(10);
	CHECK(limiter.mbps() == 10);
	CHECK(limiter.delay_for(0, t0) == 95ms);
	// Unlimited: no debt, no delay.
	limiter.set_rate(0);
	CHECK(limiter.unlimited());
	CHECK(limiter.delay_for(100'000'000, t0) == 0ns);
	// Limited again: the bucket starts full (500 kB at 10 MB/s).
	limiter.set_rate(10);
	CHECK(limiter.delay_for(500'000, t0) == 0ns);
	CHECK(limiter.delay_for(1, t0) == 100ns);
}

TEST_CASE("recovery limiter: a lower rate keeps only its own burst of saved credit",
	  "[replication][rate]")
{
	RateLimiter limiter(100); // burst 5 MB
	CHECK(limiter.delay_for(0, t0) == 0ns);
	limiter.set_rate(1); // burst 50 kB
	CHECK(limiter.delay_for(50'000, t0) == 0ns);
	CHECK(limiter.delay_for(1, t0) == 1us);
}

TEST_CASE("recovery limiter: an idle period saves up no more than the burst", "[replication][rate]")
{
	RateLimiter limiter(10); // burst 50 ms: 500 kB
	CHECK(limiter.delay_for(4096, t0) == 0ns);
	const Clock::time_point later = t0 + 10s;
	int at_once = 0;
	while (limiter.delay_for(4096, later) == 0ns)
		++at_once;
	// 122 x 4096 = 499712 bytes.  The 123rd send was told to wait for the
	// 3808 bytes it lacked (380.8 us) and is accounted, so the debt left
	// takes as long to pay.
	CHECK(at_once == 122);
	CHECK(limiter.delay_for(0, later) == std::chrono::nanoseconds((4096 - 288) * 100));
}

TEST_CASE("recovery limiter: a send larger than the burst goes, and pushes the next back",
	  "[replication][rate]")
{
	RateLimiter limiter(10, 50ms);
	CHECK(limiter.delay_for(5'000'000, t0) == 0ns);
	// 4.5 MB of debt, then 1 byte: 450 ms and 100 ns.
	CHECK(limiter.delay_for(1, t0) == 450'000'100ns);
	// After an hour the bucket is full again, not overflowed.
	CHECK(limiter.delay_for(5'000'000, t0 + 1h) == 0ns);
	CHECK(limiter.delay_for(0, t0 + 1h) == 450ms);
}

TEST_CASE("recovery limiter: burst 0 paces every send", "[replication][rate]")
{
	RateLimiter limiter(1, 0ms);
	CHECK(limiter.delay_for(1000, t0) == 0ns);
	CHECK(limiter.delay_for(1000, t0) == 1ms);
	CHECK(limiter.delay_for(1000, t0 + 1ms) == 1ms);
}

TEST_CASE("recovery limiter: out-of-range settings and clocks are bounded", "[replication][rate]")
{
	RateLimiter fast(1'000'000, 1h);
	CHECK(fast.mbps() == hpsd::max_recovery_bandwidth_mbps);
	// Burst clamped to 60 s: 60 s x 2048 MB/s, then a byte more waits.
	CHECK(fast.delay_for(122'880'000'000, t0) == 0ns);
	CHECK(fast.delay_for(2048, t0) == 1us);

	// Sends reserved without waiting, far past what the debt can hold
	// (each counts as 1 TiB): the debt stops at 2^61 milli-bytes.
	RateLimiter slow(1);
	for (int i = 0; i < 3000; ++i)
		(void)slow.delay_for(~std::size_t{0}, t0);
	CHECK(slow.delay_for(0, t0) == std::chrono::nanoseconds(std::int64_t{1} << 61));

	// A `now` before the last one waits for the difference too.
	RateLimiter back(1, 0ms);
	CHECK(back.delay_for(1000, t0 + 1s) == 0ns);
	CHECK(back.delay_for(0, t0) == 1s + 1ms);
}
