// SPDX-License-Identifier: GPL-2.0-only
// A set of byte ranges of a volume, kept as disjoint half-open [begin, end)
// ranges merged on insert (overlapping and adjacent ones become one).
//
// The secondary's applier records in one what the live writes of a resync
// window covered, and asks it which pieces of a resync write are left to
// write (PROTOCOL.md, "The secondary's applier").  The set itself knows
// nothing of sectors: the protocol's offsets and lengths are multiples of
// 512, so so are the pieces it returns for them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace hpsd::replication {

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

} // namespace hpsd::replication
