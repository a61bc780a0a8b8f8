// SPDX-License-Identifier: GPL-2.0-only
// Keepalive: when to PING, when a silent or non-reading peer is lost.
#include "replication/keepalive.hpp"

#include <catch2/catch.hpp>

using hpsd::replication::Keepalive;
using Due = Keepalive::Due;
using namespace std::chrono_literals;

namespace {

const Keepalive::TimePoint t0{std::chrono::seconds(1000)};

} // namespace

TEST_CASE("keepalive: PING after an interval without sending", "[replication][keepalive]")
{
	Keepalive k(1s, 5s, t0);
	CHECK(k.due(t0, false) == Due::nothing);
	CHECK(k.next(false) == t0 + 1s);
	CHECK(k.due(t0 + 999ms, false) == Due::nothing);
	CHECK(k.due(t0 + 1s, false) == Due::ping);

	k.queued(t0 + 600ms, true); // a data frame: not idle
	k.received(t0 + 600ms);
	CHECK(k.due(t0 + 1s, false) == Due::nothing);
	CHECK(k.next(false) == t0 + 1600ms);
	CHECK(k.due(t0 + 1600ms, false) == Due::ping);
}

TEST_CASE("keepalive: a peer heard from in time is never lost", "[replication][keepalive]")
{
	Keepalive k(1s, 5s, t0);
	for (auto t = t0; t < t0 + 60s; t += 1s) {
		REQUIRE(k.due(t, false) != Due::silent);
		k.queued(t, true);
		k.received(t + 20ms); // the PONG
	}
}

TEST_CASE("keepalive: nothing received for the timeout loses the peer", "[replication][keepalive]")
{
	Keepalive k(1s, 5s, t0);
	k.received(t0 + 2s);
	for (auto t = t0; t < t0 + 7s; t += 1s)
		k.queued(t, true); // PINGs going out, unanswered
	CHECK(k.due(t0 + 6999ms, false) != Due::silent);
	CHECK(k.due(t0 + 7s, false) == Due::silent);
	CHECK(k.next(false) <= t0 + 7s);
}

TEST_CASE("keepalive: queued bytes the connection does not take stall the link", "[replication][keepalive]")
{
	Keepalive k(1s, 5s, t0);
	k.queued(t0 + 1s, true); // the clock starts when the queue fills
	for (auto t = t0 + 1s; t <= t0 + 6s; t += 500ms) {
		k.received(t); // the peer still talks
		k.queued(t, false);
	}
	CHECK(k.due(t0 + 5999ms, true) == Due::nothing);
	CHECK(k.next(true) == t0 + 6s);
	CHECK(k.due(t0 + 6s, true) == Due::stalled);
	CHECK(k.due(t0 + 6s, false) == Due::nothing); // nothing waiting: nothing stalled

	k.progressed(t0 + 5s);
	CHECK(k.due(t0 + 6s, true) == Due::nothing);
	CHECK(k.due(t0 + 10s, true) != Due::nothing);
}
