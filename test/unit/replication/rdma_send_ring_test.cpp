// SPDX-License-Identifier: GPL-2.0-only
// SendRing: contiguous pieces in order, wrapping by skipping the tail end,
// given back by mark; and, against a simple model over many random
// operations, that no piece ever overlaps one still in use.
#include "replication/rdma_send_ring.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <random>

using hpsd::replication::SendRing;

TEST_CASE("rdma send ring: pieces follow each other and come back by mark", "[replication][rdma]")
{
	SendRing r(100);
	auto a = r.allocate(60);
	auto b = r.allocate(30);
	REQUIRE(a);
	REQUIRE(b);
	CHECK(a->offset == 0);
	CHECK(b->offset == 60);
	CHECK(r.used() == 90);
	CHECK_FALSE(r.allocate(20)); // 10 left at the end, nothing before a
	CHECK(r.can_fit(10));
	r.release_to(a->mark);
	CHECK(r.used() == 30);
	// 50 does not fit in the last 10: it goes to the beginning, and the
	// skipped 10 are c's, used until c is given back.
	auto c = r.allocate(50);
	REQUIRE(c);
	CHECK(c->offset == 0);
	CHECK(r.used() == 90);
	r.release_to(b->mark);
	CHECK(r.used() == 60);
	CHECK(r.can_fit(40)); // 50..90
	CHECK_FALSE(r.can_fit(41));
	r.release_to(a->mark); // older: changes nothing
	CHECK(r.used() == 60);
	r.release_to(c->mark);
	CHECK(r.used() == 0);
	// Empty: the next piece starts over at 0, with the whole ring.
	auto d = r.allocate(100);
	REQUIRE(d);
	CHECK(d->offset == 0);
	CHECK_FALSE(r.can_fit(1));
	r.release_to(r.mark());
	CHECK(r.used() == 0);
}

TEST_CASE("rdma send ring: nothing larger than the ring, nothing empty", "[replication][rdma]")
{
	SendRing r(64);
	CHECK_FALSE(r.allocate(65));
	CHECK_FALSE(r.allocate(0));
	CHECK(r.allocate(64));
}

TEST_CASE("rdma send ring: random use never hands out space in use", "[replication][rdma]")
{
	constexpr std::size_t capacity = 1000;
	SendRing r(capacity);
	struct Live {
		std::size_t offset, size;
		std::uint64_t mark;
	};
	std::deque<Live> live;
	std::mt19937 rng(7);
	std::size_t allocated = 0;
	for (int i = 0; i < 200000; i++) {
		if (rng() % 3 != 0) {
			const std::size_t size = 1 + rng() % 300;
			const bool fits = r.can_fit(size);
			const auto piece = r.allocate(size);
			REQUIRE(fits == piece.has_value());
			if (!piece)
				continue;
			allocated++;
			REQUIRE(piece->offset + size <= capacity);
			for (const Live& l : live) {
				const bool apart = piece->offset + size <= l.offset ||
						   l.offset + l.size <= piece->offset;
				REQUIRE(apart);
			}
			live.push_back({piece->offset, size, piece->mark});
		} else if (!live.empty()) {
			// Give back a prefix, as a completion does.
			const std::size_t n = 1 + rng() % live.size();
			r.release_to(live[n - 1].mark);
			live.erase(live.begin(), live.begin() + static_cast<long>(n));
		}
		std::size_t in_use = 0;
		for (const Live& l : live)
			in_use += l.size;
		REQUIRE(r.used() >= in_use); // plus skipped tail ends
		if (live.empty())
			REQUIRE(r.used() == 0);
	}
	CHECK(allocated > 100000);
}

TEST_CASE("rdma send ring: room only grows as pieces come back", "[replication][rdma]")
{
	// What the link's signalling relies on: if a piece fits after an
	// allocation, it still fits after any release.
	std::mt19937 rng(11);
	for (int round = 0; round < 2000; round++) {
		SendRing r(512);
		std::deque<std::uint64_t> marks;
		for (int i = 0; i < 40; i++) {
			if (auto p = r.allocate(1 + rng() % 200))
				marks.push_back(p->mark);
			else if (!marks.empty()) {
				r.release_to(marks.front());
				marks.pop_front();
			}
			for (std::size_t probe : {1U, 64U, 200U, 512U}) {
				if (!r.can_fit(probe) || marks.empty())
					continue;
				SendRing copy = r;
				copy.release_to(marks.front());
				REQUIRE(copy.can_fit(probe));
			}
		}
	}
}
