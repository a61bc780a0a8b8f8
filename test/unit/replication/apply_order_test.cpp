// SPDX-License-Identifier: GPL-2.0-only
// The secondary's ordering of one volume's writes: overlapping ones in seq
// order, the rest in parallel, flushes once everything before them is
// applied, and a bounded window.
#include "replication/apply_order.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <set>

using hpsd::replication::ApplyOrder;
using Catch::Matchers::Contains;
using Seqs = std::vector<std::uint64_t>;

namespace {

constexpr std::uint64_t K = 4096;

Seqs writes(const hps::Result<ApplyOrder::Ready, std::string>& r)
{
	REQUIRE(r);
	return r->writes;
}

Seqs flushes(const hps::Result<ApplyOrder::Ready, std::string>& r)
{
	REQUIRE(r);
	return r->flushes;
}

std::string refused(const hps::Result<ApplyOrder::Ready, std::string>& r)
{
	REQUIRE_FALSE(r);
	return r.error();
}

} // namespace

TEST_CASE("apply order: writes that do not overlap go at once", "[replication][order]")
{
	ApplyOrder o(1);
	CHECK(writes(o.arrive(1, 0, K)) == Seqs{1});
	CHECK(writes(o.arrive(2, K, K)) == Seqs{2});
	CHECK(writes(o.arrive(3, 8 * K, 4 * K)) == Seqs{3});
	CHECK(o.pending() == 3);
	// Applied in any order.
	CHECK(writes(o.applied(3)).empty());
	CHECK(o.applied_through() == 0);
	CHECK(writes(o.applied(1)).empty());
	CHECK(o.applied_through() == 1);
	CHECK(writes(o.applied(2)).empty());
	CHECK(o.applied_through() == 3);
	CHECK(o.pending() == 0);
}

TEST_CASE("apply order: overlapping writes wait for the lower seq", "[replication][order]")
{
	ApplyOrder o(1);
	CHECK(writes(o.arrive(1, 0, 2 * K)) == Seqs{1});
	CHECK(writes(o.arrive(2, K, 2 * K)).empty());	  // overlaps 1
	CHECK(writes(o.arrive(3, 2 * K, 2 * K)).empty()); // overlaps 2 (not 1)
	CHECK(writes(o.arrive(4, 8 * K, K)) == Seqs{4});  // overlaps nothing
	CHECK(writes(o.arrive(5, 0, 8 * K)).empty());	  // overlaps 1, 2, 3
	CHECK(writes(o.applied(1)) == Seqs{2});
	CHECK(writes(o.applied(4)).empty());
	CHECK(writes(o.applied(2)) == Seqs{3});
	CHECK(writes(o.applied(3)) == Seqs{5});
	CHECK(writes(o.applied(5)).empty());
	CHECK(o.applied_through() == 5);
}

TEST_CASE("apply order: adjacent ranges do not overlap", "[replication][order]")
{
	ApplyOrder o(1);
	CHECK(writes(o.arrive(1, 0, K)) == Seqs{1});
	CHECK(writes(o.arrive(2, K, K)) == Seqs{2});
	CHECK(writes(o.arrive(3, K - 512, 1024)).empty()); // straddles both
	CHECK(writes(o.applied(2)).empty());
	CHECK(writes(o.applied(1)) == Seqs{3});
}

TEST_CASE("apply order: a write waits for every lower seq to arrive", "[replication][order]")
{
	ApplyOrder o(10);
	CHECK(writes(o.arrive(12, 0, K)).empty()); // 10 and 11 not here yet
	CHECK(writes(o.arrive(11, 4 * K, K)).empty());
	CHECK(o.next_expected() == 10);
	// 10 arrives: 10 and 11 go; 12 overlaps 10 and waits for it.
	CHECK(writes(o.arrive(10, 0, 2 * K)) == Seqs{10, 11});
	CHECK(o.next_expected() == 13);
	CHECK(writes(o.applied(10)) == Seqs{12});
}

TEST_CASE("apply order: flushes wait for everything up to them", "[replication][order]")
{
	ApplyOrder o(1);
	CHECK(flushes(o.flush(0)) == Seqs{0}); // nothing written yet
	(void)o.arrive(1, 0, K);
	(void)o.arrive(2, K, K);
	CHECK(flushes(o.flush(2)).empty());
	CHECK(flushes(o.flush(1)).empty());
	CHECK(flushes(o.flush(3)).empty()); // seq 3 has not even arrived
	CHECK(flushes(o.applied(2)).empty());
	CHECK(flushes(o.applied(1)) == Seqs{1, 2});
	(void)o.arrive(3, 0, K);
	CHECK(flushes(o.applied(3)) == Seqs{3});
	CHECK(flushes(o.flush(3)) == Seqs{3});
}

TEST_CASE("apply order: protocol errors", "[replication][order]")
{
	ApplyOrder o(5, 4);
	CHECK(refused(o.arrive(4, 0, K)) == "seq 4 arrived twice");
	(void)o.arrive(5, 0, K);
	CHECK(refused(o.arrive(5, 0, K)) == "seq 5 arrived twice");
	(void)o.arrive(7, K, K);
	CHECK(refused(o.arrive(7, K, K)) == "seq 7 arrived twice");
	// Window 4 from the lowest unapplied (5): 5..8 fit, 9 does not.
	CHECK(refused(o.arrive(9, 0, K)) == "seq 9 is too far ahead: lowest unapplied 5, window 4");
	CHECK(refused(o.arrive(6, 0, 0)) == "seq 6: empty write");
	CHECK_THAT(refused(o.arrive(6, ~std::uint64_t{0}, 2)), Contains("past 2^64"));
	CHECK(refused(o.applied(7)) == "seq 7 reported applied but was not handed out");
	CHECK(refused(o.applied(100)) == "seq 100 reported applied but was not handed out");
	(void)o.applied(5);
	CHECK(refused(o.applied(5)) == "seq 5 reported applied but was not handed out");
	CHECK(refused(o.arrive(5, 0, K)) == "seq 5 arrived twice");
	CHECK(refused(o.flush(10)) == "FLUSH up to 10 is too far ahead: lowest unapplied 6, window 4");
	for (int i = 0; i < 4; i++)
		CHECK(flushes(o.flush(7)).empty());
	CHECK(refused(o.flush(8)) == "FLUSH up to 8: 4 FLUSHes already waiting");
}

TEST_CASE("apply order: random arrivals and completions keep overlapping writes in order",
	  "[replication][order]")
{
	// A model: writes of 1..4 blocks over 16 blocks, arriving shuffled
	// within a window, applied in random order among those handed out.
	// Each block must end with the data of the highest seq that wrote it,
	// and no write may be handed out while a lower overlapping one is
	// unapplied.
	std::mt19937_64 rng(4);
	for (int round = 0; round < 200; round++) {
		const std::uint64_t first = 1 + rng() % 1000;
		const std::size_t count = 1 + rng() % 60;
		struct W {
			std::uint64_t block, blocks;
		};
		std::map<std::uint64_t, W> all;
		for (std::uint64_t s = first; s < first + count; s++)
			all[s] = W{rng() % 16, 1 + rng() % 4};

		// Seqs not arrived yet.  The primary sends none more than the
		// window past the lowest unacked (so unapplied) one; within that,
		// frames overtake each other.
		std::set<std::uint64_t> not_arrived;
		for (const auto& [s, w] : all)
			not_arrived.insert(s);

		ApplyOrder o(first, 8);
		std::vector<std::uint64_t> in_flight;
		std::map<std::uint64_t, bool> applied;
		std::vector<std::uint64_t> disk(20, 0);
		auto take = [&](const Seqs& ready) {
			for (std::uint64_t s : ready) {
				// Every lower seq overlapping s is applied.
				for (const auto& [t, w] : all)
					if (t < s && w.block < all[s].block + all[s].blocks &&
					    all[s].block < w.block + w.blocks)
						REQUIRE(applied[t]);
				in_flight.push_back(s);
			}
		};
		auto apply_one = [&] {
			const std::size_t i = rng() % in_flight.size();
			const std::uint64_t s = in_flight[i];
			in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(i));
			for (std::uint64_t b = all[s].block; b < all[s].block + all[s].blocks; b++)
				disk[b] = s;
			applied[s] = true;
			take(writes(o.applied(s)));
		};
		while (!not_arrived.empty() || !in_flight.empty()) {
			std::vector<std::uint64_t> can_arrive;
			for (std::uint64_t s : not_arrived)
				if (s < o.applied_through() + 1 + 8 && can_arrive.size() < 4)
					can_arrive.push_back(s);
			if (!can_arrive.empty() && (in_flight.empty() || rng() % 2)) {
				const std::uint64_t s =
					rng() % 3 ? can_arrive.front() : can_arrive[rng() % can_arrive.size()];
				not_arrived.erase(s);
				take(writes(o.arrive(s, all[s].block * K, all[s].blocks * K)));
			} else {
				// Nothing may arrive: something must be in flight, or
				// the order is stuck.
				REQUIRE_FALSE(in_flight.empty());
				apply_one();
			}
		}
		CHECK(o.pending() == 0);
		CHECK(o.applied_through() == first + count - 1);
		std::vector<std::uint64_t> expected(20, 0);
		for (const auto& [s, w] : all)
			for (std::uint64_t b = w.block; b < w.block + w.blocks; b++)
				expected[b] = s;
		CHECK(disk == expected);
	}
}
