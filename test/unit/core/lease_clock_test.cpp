// SPDX-License-Identifier: GPL-2.0-only
// The ownership lease's timing: counted from when Ceph was asked, never
// stretched by a slow answer, and held back after a promotion until the
// old primary's lease has run out.
#include "core/lease_clock.hpp"

#include <catch2/catch.hpp>

using hpsd::LeaseClock;
using namespace std::chrono_literals;

TEST_CASE("a lease runs from the question, not the answer", "[core][lease]")
{
	LeaseClock clock(10s);
	const auto t0 = LeaseClock::Clock::time_point{} + 1h;
	CHECK_FALSE(clock.holds(t0));
	CHECK_FALSE(clock.last_confirmed());

	auto ms = clock.confirmed(t0, t0 + 3s); // Ceph took 3 s to answer
	REQUIRE(ms);
	CHECK(*ms == 7000);
	CHECK(clock.holds(t0 + 9s));
	CHECK_FALSE(clock.holds(t0 + 10s));
	CHECK(*clock.last_confirmed() == t0);
	CHECK(*clock.expires() == t0 + 10s);
}

TEST_CASE("an answer later than the lease it would give renews nothing", "[core][lease]")
{
	LeaseClock clock(10s);
	const auto t0 = LeaseClock::Clock::time_point{} + 1h;
	CHECK_FALSE(clock.confirmed(t0, t0 + 10s));
	CHECK_FALSE(clock.confirmed(t0, t0 + 31s)); // the admin client's op timeout
	CHECK_FALSE(clock.holds(t0 + 1s)); // nothing was given
	// An answer dated before its question (it cannot be) gives a whole lease.
	auto ms = clock.confirmed(t0 + 5s, t0 + 4s);
	REQUIRE(ms);
	CHECK(*ms == 10000);
}

TEST_CASE("a new primary waits one lease for the old one's to run out", "[core][lease]")
{
	LeaseClock clock(10s);
	const auto t0 = LeaseClock::Clock::time_point{} + 1h;
	clock.wait_for_old_owner(t0);
	CHECK(clock.waiting_for_old_owner(t0 + 9s));
	CHECK_FALSE(clock.confirmed(t0 + 2s, t0 + 3s));
	CHECK_FALSE(clock.confirmed(t0 + 7s, t0 + 9999ms));
	CHECK_FALSE(clock.holds(t0 + 9s));
	// Asked before the old lease ended, answered after: counted from the
	// question still.
	auto ms = clock.confirmed(t0 + 9s, t0 + 10s);
	REQUIRE(ms);
	CHECK(*ms == 9000);
	CHECK_FALSE(clock.waiting_for_old_owner(t0 + 10s));
}
