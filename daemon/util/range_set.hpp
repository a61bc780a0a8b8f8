// SPDX-License-Identifier: GPL-2.0-only
// A set of byte ranges of a volume, kept as disjoint half-open [begin, end)
// ranges merged on insert (overlapping and adjacent ones become one).
//
// The secondary's applier records in one what the live writes of a resync
// window covered, and asks it which pieces of a resync write are left to
// write (PROTOCOL.md, "The secondary's applier"); its clean window, which
// pieces of a CLEAN newer writes still hold; hps-logreplay, which bytes a
// later log entry sets.  The set itself knows nothing of sectors: given
// offsets and lengths in multiples of 512, so are the pieces it returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace hps {

struct ByteRange {
	std::uint64_t begin = 0;
	std::uint64_t end = 0; // past the last byte; begin < end for a non-empty range

	std::uint64_t length() const noexcept { return end - begin; }
	bool operator==(const ByteRange&) const = default;
};

class RangeSet {
public:
	// Adds [r.begin, r.end); an empty range changes nothing.
	void add(ByteRange r);
	// The pieces of r that no range of the set covers, in order: none when
	// r is covered whole, r itself when nothing of it is.
	std::vector<ByteRange> uncovered(ByteRange r) const;
	// The set's ranges, in order, for tests and logs.
	std::vector<ByteRange> ranges() const;

	bool empty() const noexcept { return ranges_.empty(); }
	// Disjoint ranges held: what the set costs in memory.
	std::size_t size() const noexcept { return ranges_.size(); }
	void clear() noexcept { ranges_.clear(); }

private:
	std::map<std::uint64_t, std::uint64_t> ranges_; // begin -> end, disjoint, not adjacent
};

} // namespace hps
