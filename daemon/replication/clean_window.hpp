// SPDX-License-Identifier: GPL-2.0-only
// The secondary's side of a CLEAN (PROTOCOL.md, "Clean-mark propagation"):
// which parts of the ranges a CLEAN names may be marked clean here.
//
// A CLEAN entry (range, seq) says: RBD holds the range's data as of every
// write up to `seq`.  Where a write of a higher seq arrived here, the
// block holds newer data than RBD (or will, once that write is applied):
// it stays dirty.  So the window records the range of every WRITE and
// DISCARD that arrives (resync ones too), by seq, and a CLEAN's entry is
// cut by those above its seq.
//
// Bounded: past `capacity` records the oldest go, and `floor` rises to
// the highest seq dropped.  An entry whose seq is below the floor can no
// longer be judged (a write above it may have been dropped) and is
// ignored whole: a lost CLEAN costs space, never data.  The floor starts
// at first_seq - 1: writes of earlier connections are not known here.
//
// Also kept out of every CLEAN: the ranges of writes that failed here (the
// block may hold older data than the write the primary wrote back), and
// whatever the caller says is still in flight (`busy`: no write may be on
// its way to a block while the kernel marks it clean).
//
// Pure bookkeeping, one volume, one thread.
#pragma once

#include "replication/message.hpp"
#include "util/range_set.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace hpsd::replication {

class CleanWindow {
public:
	static constexpr std::size_t default_capacity = 65536;

	struct Plan {
		std::vector<hps::ByteRange> ranges;	 // to mark clean, in entry order
		std::uint64_t kept_bytes = 0;	 // of judged entries, left dirty
		std::uint64_t ignored_bytes = 0; // of entries below the floor
	};

	// `first_seq`: the RESYNC_BEGIN's (>= 1).  `capacity` >= 1.
	explicit CleanWindow(std::uint64_t first_seq, std::size_t capacity = default_capacity);

	// A WRITE or DISCARD of `range` with `seq` arrived.
	void record(std::uint64_t seq, hps::ByteRange range);
	// A write of `range` failed here.
	void failed(hps::ByteRange range);
	// What of `entries` may be marked clean now, `busy` left out too.
	Plan plan(const std::vector<CleanEntry>& entries, const hps::RangeSet& busy) const;

	// Every write that arrived with a seq above this is recorded.
	std::uint64_t floor() const noexcept { return floor_; }
	std::size_t size() const noexcept { return writes_.size(); }

private:
	std::map<std::uint64_t, hps::ByteRange> writes_; // by seq
	std::uint64_t floor_;
	std::size_t capacity_;
	hps::RangeSet failed_;
};

} // namespace hpsd::replication
