// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/points.hpp"

#include <algorithm>
#include <set>

namespace hps::logreplay {
namespace {

std::string durable_kind(const LogEntry& e)
{
	if (e.flush() && e.fua())
		return "flush+fua";
	return e.flush() ? "flush" : "fua";
}

// Up to n entries strictly between a and b (a may be -1, b one past the end).
void add_between(std::int64_t a, std::int64_t b, unsigned n, std::set<std::uint64_t>& out)
{
	std::int64_t inside = b - a - 1;
	if (inside <= 0 || n == 0)
		return;
	std::int64_t want = std::min<std::int64_t>(n, inside);
	for (std::int64_t k = 1; k <= want; ++k)
		out.insert(static_cast<std::uint64_t>(a + (k * (b - a)) / (want + 1)));
}

} // namespace

std::vector<ReplayPoint> replay_points(const LogIndex& log, unsigned between)
{
	std::vector<ReplayPoint> points;
	std::set<std::uint64_t> extra;
	std::int64_t last_durable = -1;
	for (const auto& e : log.entries) {
		if (e.flush() || e.fua()) {
			add_between(last_durable, static_cast<std::int64_t>(e.index), between, extra);
			last_durable = static_cast<std::int64_t>(e.index);
		}
	}
	add_between(last_durable, static_cast<std::int64_t>(log.entries.size()), between, extra);

	for (const auto& e : log.entries) {
		if (e.flush() || e.fua())
			points.push_back({e.index, durable_kind(e), {}});
		else if (e.is_mark())
			points.push_back({e.index, "mark", e.mark});
		else if (extra.contains(e.index))
			points.push_back({e.index, "between", {}});
	}
	return points;
}

} // namespace hps::logreplay
