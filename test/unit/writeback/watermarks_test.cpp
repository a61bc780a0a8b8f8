// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/watermarks.hpp"

#include <catch2/catch.hpp>

using hpsd::writeback::next_pressure;
using hpsd::writeback::Pressure;
using hpsd::writeback::throttle_delay_us;
using hpsd::writeback::throttle_max_us;
using hpsd::writeback::throttle_min_us;
using hpsd::writeback::Watermarks;

TEST_CASE("watermarks: idle below low, active between, urgent from high", "[writeback][watermarks]")
{
	Watermarks w(10, 80, 5);
	CHECK(w.update(0, 1000) == Pressure::idle);
	CHECK(w.update(99, 1000) == Pressure::idle);
	CHECK(w.update(100, 1000) == Pressure::active);
	CHECK_FALSE(w.throttle_writes());
	CHECK(w.update(799, 1000) == Pressure::active);
	CHECK(w.update(800, 1000) == Pressure::urgent);
	CHECK(w.throttle_writes());
	CHECK(w.update(1000, 1000) == Pressure::urgent);
}

TEST_CASE("watermarks: hysteresis keeps a state until 5 points below its watermark",
	  "[writeback][watermarks]")
{
	Watermarks w(10, 80, 5);
	REQUIRE(w.update(800, 1000) == Pressure::urgent);
	// Hovering around 80 %: stays urgent, no flapping.
	for (int i = 0; i < 10; ++i) {
		CHECK(w.update(799, 1000) == Pressure::urgent);
		CHECK(w.update(801, 1000) == Pressure::urgent);
	}
	CHECK(w.update(750, 1000) == Pressure::urgent);
	CHECK(w.update(749, 1000) == Pressure::active);
	// Back up to 79.9 %: still active (rising needs the watermark itself).
	CHECK(w.update(799, 1000) == Pressure::active);

	// Same at the low end.
	CHECK(w.update(99, 1000) == Pressure::active);
	CHECK(w.update(50, 1000) == Pressure::active);
	CHECK(w.update(49, 1000) == Pressure::idle);
	CHECK(w.update(99, 1000) == Pressure::idle);
}

TEST_CASE("watermarks: large jumps skip states", "[writeback][watermarks]")
{
	CHECK(next_pressure(Pressure::idle, 900, 1000, 10, 80, 5) == Pressure::urgent);
	CHECK(next_pressure(Pressure::urgent, 0, 1000, 10, 80, 5) == Pressure::idle);
	CHECK(next_pressure(Pressure::urgent, 60, 1000, 10, 80, 5) == Pressure::active);
}

TEST_CASE("watermarks: no hysteresis means a sharp edge that still does not flap",
	  "[writeback][watermarks]")
{
	Watermarks w(10, 80, 0);
	CHECK(w.update(100, 1000) == Pressure::active);
	CHECK(w.update(100, 1000) == Pressure::active);
	CHECK(w.update(99, 1000) == Pressure::idle);
	CHECK(w.update(99, 1000) == Pressure::idle);
}

TEST_CASE("watermarks: exact on huge sizes and odd capacities", "[writeback][watermarks]")
{
	const std::uint64_t cap = 7'000'000'000'003ULL; // 7 TB, not a multiple of 100
	// 10 % of cap is 700'000'000'000.3: one byte below stays idle.
	CHECK(next_pressure(Pressure::idle, 700'000'000'000ULL, cap, 10, 80, 5) == Pressure::idle);
	CHECK(next_pressure(Pressure::idle, 700'000'000'001ULL, cap, 10, 80, 5) == Pressure::active);
	const std::uint64_t huge = std::uint64_t{1} << 62;
	CHECK(next_pressure(Pressure::idle, huge / 2, huge, 10, 80, 5) == Pressure::active);
	CHECK(next_pressure(Pressure::idle, huge, huge, 10, 80, 5) == Pressure::urgent);
}

TEST_CASE("watermarks: zero capacity and low 0", "[writeback][watermarks]")
{
	CHECK(next_pressure(Pressure::idle, 0, 0, 10, 80, 5) == Pressure::idle);
	CHECK(next_pressure(Pressure::idle, 1, 0, 10, 80, 5) == Pressure::urgent);
	// low 0: always write back.
	CHECK(next_pressure(Pressure::idle, 0, 1000, 0, 80, 0) == Pressure::active);
	CHECK(to_string(Pressure::urgent) == "urgent");
}

TEST_CASE("watermarks: the write throttle's delay grows from the high watermark to full",
	  "[writeback][watermarks]")
{
	CHECK(throttle_delay_us(Pressure::active, 90, 100, 80) == 0);
	CHECK(throttle_delay_us(Pressure::idle, 100, 100, 80) == 0);
	// Urgent below high (the hysteresis): the least delay.
	CHECK(throttle_delay_us(Pressure::urgent, 77, 100, 80) == throttle_min_us);
	CHECK(throttle_delay_us(Pressure::urgent, 80, 100, 80) == throttle_min_us);
	CHECK(throttle_delay_us(Pressure::urgent, 90, 100, 80) ==
	      throttle_min_us + (throttle_max_us - throttle_min_us) / 2);
	CHECK(throttle_delay_us(Pressure::urgent, 100, 100, 80) == throttle_max_us);
	CHECK(throttle_delay_us(Pressure::urgent, 200, 100, 80) == throttle_max_us);
	CHECK(throttle_delay_us(Pressure::urgent, 1, 0, 80) == throttle_max_us);
	// Huge pools do not overflow.
	const std::uint64_t cap = std::uint64_t{1} << 62;
	CHECK(throttle_delay_us(Pressure::urgent, cap / 10 * 9, cap, 80) >=
	      throttle_min_us + (throttle_max_us - throttle_min_us) / 2 - 100);

	Watermarks w(10, 80, 5);
	w.update(95, 100);
	CHECK(w.throttle_us() == throttle_delay_us(Pressure::urgent, 95, 100, 80));
	w.update(10, 100);
	CHECK(w.throttle_us() == 0);
}
