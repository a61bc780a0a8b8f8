// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/backoff.hpp"

#include <catch2/catch.hpp>

using hpsd::writeback::Backoff;
using hpsd::writeback::TimePoint;
using namespace std::chrono_literals;

TEST_CASE("backoff: doubles per failure up to the cap, success resets", "[writeback][backoff]")
{
	Backoff b(1s, 10s);
	const TimePoint t0{};
	CHECK_FALSE(b.active());
	CHECK(b.delay() == 0ms);
	b.failure(t0);
	CHECK(b.active());
	CHECK(b.delay() == 1s);
	CHECK(b.retry_at() == t0 + 1s);
	b.failure(t0 + 1s);
	CHECK(b.delay() == 2s);
	CHECK(b.retry_at() == t0 + 3s);
	b.failure(t0 + 3s);
	CHECK(b.delay() == 4s);
	b.failure(t0 + 7s);
	CHECK(b.delay() == 8s);
	b.failure(t0 + 15s);
	CHECK(b.delay() == 10s);
	for (int i = 0; i < 200; ++i)
		b.failure(t0 + 25s);
	CHECK(b.delay() == 10s);
	CHECK(b.retry_at() == t0 + 35s);
	b.success();
	CHECK_FALSE(b.active());
	CHECK(b.failures() == 0);
}
