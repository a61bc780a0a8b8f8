// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/interval_set.hpp"

#include <algorithm>

namespace hps::logreplay {

void IntervalSet::add(Range r)
{
	if (r.begin >= r.end)
		return;
	auto it = ranges_.upper_bound(r.begin);
	if (it != ranges_.begin()) {
		auto prev = std::prev(it);
		if (prev->second >= r.begin) {
			r.begin = prev->first;
			r.end = std::max(r.end, prev->second);
			it = ranges_.erase(prev);
		}
	}
	while (it != ranges_.end() && it->first <= r.end) {
		r.end = std::max(r.end, it->second);
		it = ranges_.erase(it);
	}
	ranges_.emplace(r.begin, r.end);
}

std::vector<Range> IntervalSet::uncovered(Range r) const
{
	std::vector<Range> out;
	if (r.begin >= r.end)
		return out;
	std::uint64_t pos = r.begin;
	auto it = ranges_.upper_bound(r.begin);
	if (it != ranges_.begin()) {
		auto prev = std::prev(it);
		if (prev->second > pos)
			pos = prev->second;
	}
	for (; it != ranges_.end() && it->first < r.end && pos < r.end; ++it) {
		if (it->first > pos)
			out.push_back({pos, it->first});
		pos = std::max(pos, it->second);
	}
	if (pos < r.end)
		out.push_back({pos, r.end});
	return out;
}

std::vector<Range> IntervalSet::ranges() const
{
	std::vector<Range> out;
	out.reserve(ranges_.size());
	for (const auto& [b, e] : ranges_)
		out.push_back({b, e});
	return out;
}

} // namespace hps::logreplay
