// SPDX-License-Identifier: GPL-2.0-only
// SendWindow: the queue depth, which SENDs are signalled, and what a
// completion gives back.
#include "replication/rdma_send_window.hpp"

#include <catch2/catch.hpp>

using hpsd::replication::SendWindow;

TEST_CASE("rdma send window: every n-th SEND is signalled, and any that must be", "[replication][rdma]")
{
	SendWindow w(64, 4);
	std::vector<bool> signaled;
	for (int i = 0; i < 8; i++)
		signaled.push_back(w.post(false, 0).signaled);
	CHECK(signaled == std::vector<bool>{false, false, false, true, false, false, false, true});
	CHECK(w.post(true, 0).signaled);	  // asked for
	CHECK_FALSE(w.post(false, 0).signaled); // and the count starts over
	CHECK(w.last_id() == 10);
}

TEST_CASE("rdma send window: a completion ends every SEND up to it and gives the latest tag",
	  "[replication][rdma]")
{
	SendWindow w(4, 2);
	const auto a = w.post(false, 100);
	const auto b = w.post(false, 200);
	const auto c = w.post(false, 300);
	CHECK(a.id == 1);
	CHECK(b.signaled);
	CHECK(w.outstanding() == 3);
	CHECK(w.has_room());
	w.post(false, 400);
	CHECK_FALSE(w.has_room());
	CHECK(w.completed(b.id) == std::optional<std::uint64_t>{200});
	CHECK(w.outstanding() == 2);
	CHECK(w.has_room());
	CHECK_FALSE(w.completed(b.id)); // not outstanding any more
	CHECK(w.completed(c.id + 1) == std::optional<std::uint64_t>{400});
	CHECK(w.outstanding() == 0);
}

TEST_CASE("rdma send window: a full queue always has a signalled SEND in it", "[replication][rdma]")
{
	// Whatever completes when: with depth >= signal_every, the SENDs
	// outstanding once the queue is full include a signalled one, so a
	// completion will come and make room.
	for (std::uint32_t every : {1U, 3U, 8U, 16U}) {
		SendWindow w(16, every);
		std::vector<std::pair<std::uint64_t, bool>> out; // id, signalled
		for (int i = 0; i < 1000; i++) {
			while (w.has_room()) {
				const auto p = w.post(i % 7 == 0, 0);
				out.emplace_back(p.id, p.signaled);
			}
			std::uint64_t newest_signaled = 0;
			for (const auto& [id, sig] : out)
				if (sig)
					newest_signaled = id;
			REQUIRE(newest_signaled != 0);
			// Complete up to some signalled one.
			std::uint64_t upto = 0;
			for (const auto& [id, sig] : out)
				if (sig && (upto == 0 || i % 2 == 0))
					upto = id;
			REQUIRE(w.completed(upto));
			std::erase_if(out, [upto](const auto& e) { return e.first <= upto; });
		}
	}
	CHECK(SendWindow(0, 0).has_room()); // clamped to 1
}
