// SPDX-License-Identifier: GPL-2.0-only
// Shorthands for the writeback tests: extents in 4 KiB blocks and a
// planner built from a config that must be valid.
#pragma once

#include "writeback/planner.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace wbtest {

using namespace hpsd::writeback;

inline constexpr std::uint64_t block = 4096;

// Volume `volume`, blocks [first, first + count), seq, data at cache block.
inline DirtyExtent ext(std::uint32_t volume, std::uint64_t first, std::uint32_t count,
		       std::uint64_t seq, std::uint64_t cache_block)
{
	return {volume, first * block, static_cast<std::uint32_t>(count * block), seq,
		cache_block * block};
}

inline ReadSegment read(std::uint64_t cache_block, std::uint64_t first, std::uint32_t count,
			std::uint64_t seq)
{
	return {cache_block * block, first * block, static_cast<std::uint32_t>(count * block), seq};
}

inline Planner make_planner(const PlannerConfig& config = {}, TimePoint now = {})
{
	auto planner = Planner::create(config, now);
	REQUIRE(planner.ok());
	return std::move(planner).value();
}

// A planner past the low watermark: writes back at once.
inline Planner active_planner(PlannerConfig config = {}, TimePoint now = {})
{
	Planner planner = make_planner(config, now);
	REQUIRE(planner.update_dirty(50, 100) == Pressure::active);
	return planner;
}

inline std::vector<DirtyExtent> done(Planner& planner, IoId id, TimePoint now = {})
{
	auto clean = planner.complete(id, true, now);
	REQUIRE(clean.ok());
	return *clean;
}

} // namespace wbtest
