// SPDX-License-Identifier: GPL-2.0-only
// The replay points a crash-consistency test should visit.
#pragma once

#include "hps-logreplay/log_reader.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hps::logreplay {

inline constexpr unsigned max_between = 1000;

struct ReplayPoint {
	std::uint64_t entry = 0; // replay entries 0..entry inclusive
	std::string kind;	 // "flush", "fua", "flush+fua", "mark" or "between"
	std::string name;	 // a mark's name
};

// Every FLUSH or FUA entry and every mark, in log order.  With between > 0,
// also up to `between` evenly spaced entries strictly inside each gap
// between consecutive flush/FUA entries, including the gap before the
// first one and the one after the last (a crash may come anywhere).
std::vector<ReplayPoint> replay_points(const LogIndex& log, unsigned between);

} // namespace hps::logreplay
