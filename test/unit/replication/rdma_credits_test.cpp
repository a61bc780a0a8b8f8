// SPDX-License-Identifier: GPL-2.0-only
// RdmaCredits: the counts, and a simulation of two sides exchanging frames
// over a reliable connection in random interleavings, checking the
// property the RDMA transport relies on: a SEND always finds a receive
// buffer posted at the peer (never "receiver not ready"), with only the
// window and two credit buffers posted, and nothing deadlocks.
#include "replication/rdma_credits.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <random>

using hpsd::replication::RdmaCredits;

TEST_CASE("rdma credits: the handshake's two, then what the peer grants", "[replication][rdma]")
{
	RdmaCredits c(16);
	CHECK(c.window() == 16);
	CHECK(c.available() == RdmaCredits::handshake_credits);
	c.spend();
	c.spend();
	CHECK(c.available() == 0);
	CHECK(c.granted(16));
	CHECK(c.available() == 16);
	CHECK(c.granted(0));
	CHECK(c.available() == 16);
}

TEST_CASE("rdma credits: what is owed is taken whole, a credit message once half the window is owed",
	  "[replication][rdma]")
{
	RdmaCredits c(16);
	CHECK(c.owed() == 0);
	CHECK_FALSE(c.credit_message_due());
	c.open_window();
	CHECK(c.owed() == 16);
	CHECK(c.credit_message_due());
	CHECK(c.take_owed() == 16);
	CHECK(c.take_owed() == 0);
	for (int i = 0; i < 7; i++)
		c.consumed();
	CHECK_FALSE(c.credit_message_due());
	c.consumed();
	CHECK(c.credit_message_due()); // 8 of 16
	CHECK(RdmaCredits::threshold(16) == 8);
	CHECK(RdmaCredits::threshold(1) == 1);
	CHECK(RdmaCredits::threshold(3) == 2);
}

TEST_CASE("rdma credits: a peer granting more than any window is refused", "[replication][rdma]")
{
	RdmaCredits c(4);
	CHECK_FALSE(c.granted(0xffffffffU));
	CHECK(c.available() == RdmaCredits::handshake_credits); // nothing granted
	CHECK(c.granted(RdmaCredits::max_window - RdmaCredits::handshake_credits));
	CHECK_FALSE(c.granted(1));
	CHECK(RdmaCredits(0).window() == 1);
	CHECK(RdmaCredits(1U << 30).window() == RdmaCredits::max_window);
}

namespace {

// One side of a simulated connection, from just after the handshake.
struct Side {
	explicit Side(std::uint32_t window) : credits(window), posted(window + RdmaCredits::credit_buffers)
	{
		credits.spend(); // the handshake's two frames
		credits.spend();
	}

	struct Sent {
		bool data;
		std::uint32_t imm;
	};

	RdmaCredits credits;
	std::uint32_t posted;	   // receive buffers posted
	std::uint32_t frames = 0;  // to send
	std::uint32_t received = 0;
	std::deque<Sent> unhandled; // arrived, not polled yet

	// What the link's pump does.
	void pump(std::deque<Sent>& wire)
	{
		while (frames > 0 && credits.available() > 0) {
			wire.push_back({true, credits.take_owed()});
			credits.spend();
			frames--;
		}
		if (credits.credit_message_due())
			wire.push_back({false, credits.take_owed()});
	}
};

// Runs two sides to completion in a random order of deliveries, polls and
// pumps; fails on a SEND without a posted buffer, or on a deadlock.
void simulate(std::uint32_t window_a, std::uint32_t window_b, std::uint32_t frames_a,
	      std::uint32_t frames_b, unsigned seed)
{
	Side a(window_a), b(window_b);
	std::deque<Side::Sent> a_to_b, b_to_a;
	// The acceptor (b) granted its window in its RESPONSE; the initiator
	// (a) owes its own and grants it on its first SEND.
	a.credits.granted(window_b);
	a.credits.open_window();
	a.frames = frames_a;
	b.frames = frames_b;

	std::mt19937 rng(seed);
	auto deliver = [](std::deque<Side::Sent>& wire, Side& to) {
		REQUIRE(to.posted > 0); // else: receiver not ready
		to.posted--;
		to.unhandled.push_back(wire.front());
		wire.pop_front();
	};
	auto poll = [](Side& s) {
		const Side::Sent m = s.unhandled.front();
		s.unhandled.pop_front();
		REQUIRE(s.credits.granted(m.imm));
		s.posted++; // handled: the buffer goes back up
		if (m.data) {
			s.received++;
			s.credits.consumed();
		}
	};
	for (int steps = 0;; steps++) {
		REQUIRE(steps < 10'000'000);
		const bool done = a.received == frames_b && b.received == frames_a && a_to_b.empty() &&
				  b_to_a.empty() && a.unhandled.empty() && b.unhandled.empty();
		if (done)
			break;
		switch (rng() % 6) {
		case 0:
			a.pump(a_to_b);
			break;
		case 1:
			b.pump(b_to_a);
			break;
		case 2:
			if (!a_to_b.empty())
				deliver(a_to_b, b);
			break;
		case 3:
			if (!b_to_a.empty())
				deliver(b_to_a, a);
			break;
		case 4:
			if (!a.unhandled.empty())
				poll(a);
			break;
		case 5:
			if (!b.unhandled.empty())
				poll(b);
			break;
		}
		// Deadlock: nothing in flight or unhandled, and neither pump
		// can send, yet frames remain.
		if (a_to_b.empty() && b_to_a.empty() && a.unhandled.empty() && b.unhandled.empty()) {
			const bool a_can = (a.frames > 0 && a.credits.available() > 0) ||
					   a.credits.credit_message_due();
			const bool b_can = (b.frames > 0 && b.credits.available() > 0) ||
					   b.credits.credit_message_due();
			INFO("a: frames " << a.frames << " credits " << a.credits.available() << " owed "
					  << a.credits.owed() << "; b: frames " << b.frames << " credits "
					  << b.credits.available() << " owed " << b.credits.owed());
			REQUIRE((a_can || b_can || (a.frames == 0 && b.frames == 0)));
		}
	}
	CHECK(a.received == frames_b);
	CHECK(b.received == frames_a);
}

} // namespace

TEST_CASE("rdma credits: random interleavings never send without a posted buffer, never deadlock",
	  "[replication][rdma]")
{
	for (unsigned seed = 1; seed <= 40; seed++) {
		INFO("seed " << seed);
		simulate(16, 16, 3000, 2000, seed);
		simulate(16, 3, 1000, 1000, seed);
		simulate(1, 2, 500, 700, seed);
		simulate(5, 64, 2000, 0, seed);
	}
}
