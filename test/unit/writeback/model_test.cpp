// SPDX-License-Identifier: GPL-2.0-only
// Randomised check of the planner against a model of the RBD image:
// overlapping versions, splits, out-of-order completions and failures must
// never write older data over newer, every extent must come out clean
// exactly once and only when the image holds data at least as new as it,
// and the image must end up with the newest version of every block.
#include "test_extents.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <set>

using namespace wbtest;
using namespace std::chrono_literals;

namespace {

struct Model {
	// (volume, block) -> seq of the data the image holds / must hold.
	std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint64_t> image;
	std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint64_t> newest;
	std::map<std::uint64_t, std::uint64_t> cache; // cache block -> seq of its data
};

bool overlap(const WritebackIo& a, const WritebackIo& b)
{
	return a.volume_id == b.volume_id && a.offset_bytes < b.end_bytes() &&
	       b.offset_bytes < a.end_bytes();
}

void run(unsigned seed, std::uint32_t max_io_blocks)
{
	INFO("seed " << seed << ", max io " << max_io_blocks << " blocks");
	std::mt19937 rng(seed);
	auto pick = [&](unsigned lo, unsigned hi) {
		return std::uniform_int_distribution<unsigned>(lo, hi)(rng);
	};

	PlannerConfig config;
	config.max_io_bytes = static_cast<std::uint32_t>(max_io_blocks * block);
	config.max_inflight = 8;
	config.backoff_initial = 10ms;
	config.backoff_max = 40ms;
	Planner p = active_planner(config);

	Model model;
	std::map<std::uint32_t, std::uint64_t> next_seq{{1, 1}, {2, 1}};
	std::uint64_t next_cache = 0;
	std::set<std::tuple<std::uint32_t, std::uint64_t>> outstanding; // (volume, seq)
	std::vector<WritebackIo> flying;
	TimePoint now{};

	for (int step = 0; step < 3000 || !outstanding.empty(); ++step) {
		REQUIRE(step < 100000);
		if (step < 3000 && pick(0, 2) == 0) {
			std::vector<DirtyExtent> batch;
			for (unsigned n = pick(1, 4); n > 0; --n) {
				const std::uint32_t volume = pick(1, 2);
				const std::uint32_t count = pick(1, 6);
				const DirtyExtent e = ext(volume, pick(0, 40), count,
							  next_seq[volume]++, next_cache);
				for (std::uint32_t i = 0; i < count; ++i) {
					model.cache[next_cache + i] = e.seq;
					model.newest[{volume, e.offset_bytes / block + i}] = e.seq;
				}
				next_cache += count;
				outstanding.emplace(volume, e.seq);
				batch.push_back(e);
			}
			std::shuffle(batch.begin(), batch.end(), rng);
			REQUIRE(p.add(batch, now).added == batch.size());
		}
		while (auto io = p.next_io(now)) {
			REQUIRE(io->length_bytes <= config.max_io_bytes);
			for (const auto& other : flying)
				REQUIRE_FALSE(overlap(*io, other));
			std::uint64_t at = io->offset_bytes;
			for (const auto& r : io->reads) {
				REQUIRE(r.volume_offset_bytes == at);
				at += r.length_bytes;
			}
			REQUIRE(at == io->end_bytes());
			flying.push_back(std::move(*io));
		}
		if (!flying.empty() && pick(0, 1) == 0) {
			const std::size_t i = pick(0, static_cast<unsigned>(flying.size() - 1));
			const WritebackIo io = flying[i];
			flying.erase(flying.begin() + static_cast<std::ptrdiff_t>(i));
			const bool ok = pick(0, 4) != 0;
			if (ok) {
				for (const auto& r : io.reads)
					for (std::uint64_t b = 0; b < r.length_bytes / block; ++b) {
						const std::uint64_t seq =
							model.cache.at(r.cache_offset_bytes / block + b);
						REQUIRE(seq == r.seq);
						auto& held = model.image[{io.volume_id,
									  r.volume_offset_bytes / block + b}];
						REQUIRE(seq >= held); // never older over newer
						held = seq;
					}
			}
			auto clean = p.complete(io.id, ok, now);
			REQUIRE(clean.ok());
			if (!ok)
				REQUIRE(clean->empty());
			for (const auto& e : *clean) {
				REQUIRE(outstanding.erase({e.volume_id, e.seq}) == 1);
				for (std::uint64_t b = 0; b < e.length_bytes / block; ++b)
					REQUIRE(model.image[{e.volume_id, e.offset_bytes / block + b}] >=
						e.seq);
			}
		}
		now += std::chrono::milliseconds(pick(0, 5));
	}
	CHECK(flying.empty());
	CHECK(p.extent_count() == 0);
	CHECK(p.pending_bytes() == 0);
	CHECK(model.image == model.newest);
}

} // namespace

TEST_CASE("model: random overlapping writes, failures and completions", "[writeback][model]")
{
	for (unsigned seed = 1; seed <= 8; ++seed) {
		run(seed, 4);
		run(seed + 100, 256);
	}
}
