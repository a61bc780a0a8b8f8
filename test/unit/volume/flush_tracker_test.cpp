// SPDX-License-Identifier: GPL-2.0-only
#include "volume/flush_tracker.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <vector>

namespace {

using hps::volume::DrainState;
using hps::volume::FlushTracker;
using namespace std::chrono_literals;

struct FakeDrainer final : hps::volume::Drainer {
	std::map<std::uint64_t, DrainState> drains;
	std::vector<std::uint32_t> started;
	std::vector<std::uint64_t> cancelled;
	std::uint64_t next = 1;

	std::uint64_t start(std::uint32_t volume_id) override
	{
		started.push_back(volume_id);
		drains[next] = DrainState{};
		return next++;
	}
	std::optional<DrainState> progress(std::uint64_t drain) const override
	{
		auto it = drains.find(drain);
		return it == drains.end() ? std::nullopt : std::optional(it->second);
	}
	void cancel(std::uint64_t drain) override
	{
		cancelled.push_back(drain);
		drains.erase(drain);
	}
};

} // namespace

TEST_CASE("flush tracker: refused until the engine is attached", "[volume]")
{
	FlushTracker tracker;
	const FlushTracker::Clock::time_point t0{};
	CHECK_FALSE(tracker.available());
	CHECK_FALSE(tracker.start("db1", 7, t0));
	CHECK_FALSE(tracker.view("db1", t0));
}

TEST_CASE("flush tracker: one drain per volume, progress, forgotten when done", "[volume]")
{
	FakeDrainer drainer;
	FlushTracker tracker;
	tracker.attach(drainer);
	const FlushTracker::Clock::time_point t0{};

	auto started = tracker.start("db1", 7, t0);
	REQUIRE(started);
	CHECK(started->elapsed == 0s);
	// Asking again joins the running drain.
	REQUIRE(tracker.start("db1", 7, t0 + 2s));
	CHECK(drainer.started == std::vector<std::uint32_t>{7});

	drainer.drains[1].blocks_cleaned = 100;
	drainer.drains[1].backing_off = true;
	auto view = tracker.view("db1", t0 + 5s);
	REQUIRE(view);
	CHECK(view->elapsed == 5s);
	CHECK(view->state.blocks_cleaned == 100);
	CHECK(view->state.backing_off);
	CHECK_FALSE(tracker.view("db2", t0));

	drainer.drains[1].done = true;
	CHECK_FALSE(tracker.view("db1", t0 + 6s));
	CHECK(drainer.cancelled == std::vector<std::uint64_t>{1}); // the engine's record dropped
	// A new flush after that is a new drain.
	REQUIRE(tracker.start("db1", 7, t0 + 7s));
	CHECK(drainer.started == std::vector<std::uint32_t>{7, 7});
}

TEST_CASE("flush tracker: a deleted volume's drain is cancelled", "[volume]")
{
	FakeDrainer drainer;
	FlushTracker tracker;
	tracker.attach(drainer);
	const FlushTracker::Clock::time_point t0{};
	REQUIRE(tracker.start("db1", 7, t0));
	tracker.forget("db1");
	CHECK(drainer.cancelled == std::vector<std::uint64_t>{1});
	CHECK_FALSE(tracker.view("db1", t0));
	// Re-created under the same name with another id: a new drain.
	REQUIRE(tracker.start("db1", 7, t0));
	REQUIRE(tracker.start("db1", 9, t0));
	CHECK(drainer.started == std::vector<std::uint32_t>{7, 7, 9});
	tracker.detach();
	CHECK_FALSE(tracker.available());
	CHECK_FALSE(tracker.view("db1", t0));
}
