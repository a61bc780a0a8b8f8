// SPDX-License-Identifier: GPL-2.0-only
#include "util/range_set.hpp"

#include <algorithm>
#include <iterator>

namespace hps {

void RangeSet::add(ByteRange r)
{
	if (r.begin >= r.end)
		return;
	// The range starting at or before r.begin absorbs r if it reaches it
	// (adjacent included: [0,4096) and [4096,8192) are one range).
	auto it = ranges_.upper_bound(r.begin);
	if (it != ranges_.begin()) {
		auto prev = std::prev(it);
		if (prev->second >= r.begin) {
			r.begin = prev->first;
			r.end = std::max(r.end, prev->second);
			it = ranges_.erase(prev);
		}
	}
	// Then every range starting inside r, or right at its end, joins it.
	while (it != ranges_.end() && it->first <= r.end) {
		r.end = std::max(r.end, it->second);
		it = ranges_.erase(it);
	}
	ranges_.emplace(r.begin, r.end);
}

std::vector<ByteRange> RangeSet::uncovered(ByteRange r) const
{
	std::vector<ByteRange> out;
	if (r.begin >= r.end)
		return out;
	std::uint64_t pos = r.begin; // everything of r before pos is dealt with
	auto it = ranges_.upper_bound(r.begin);
	if (it != ranges_.begin())
		pos = std::max(pos, std::prev(it)->second);
	for (; it != ranges_.end() && it->first < r.end && pos < r.end; ++it) {
		if (it->first > pos)
			out.push_back({pos, it->first});
		pos = std::max(pos, it->second);
	}
	if (pos < r.end)
		out.push_back({pos, r.end});
	return out;
}

std::vector<ByteRange> RangeSet::ranges() const
{
	std::vector<ByteRange> out;
	out.reserve(ranges_.size());
	for (const auto& [begin, end] : ranges_)
		out.push_back({begin, end});
	return out;
}

} // namespace hps
