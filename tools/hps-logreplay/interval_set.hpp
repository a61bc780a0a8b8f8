// SPDX-License-Identifier: GPL-2.0-only
// A set of disjoint half-open byte ranges [begin, end), merged on insert.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace hps::logreplay {

struct Range {
	std::uint64_t begin = 0;
	std::uint64_t end = 0;
	bool operator==(const Range&) const = default;
};

class IntervalSet {
public:
	void add(Range r);
	// The parts of r not in the set, in order.
	std::vector<Range> uncovered(Range r) const;
	// All ranges, in order.
	std::vector<Range> ranges() const;

private:
	std::map<std::uint64_t, std::uint64_t> ranges_; // begin -> end
};

} // namespace hps::logreplay
