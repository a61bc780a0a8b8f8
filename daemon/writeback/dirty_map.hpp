// SPDX-License-Identifier: GPL-2.0-only
// DirtyMap: the dirty extents the planner holds, resolved per volume into
// non-overlapping "pieces" that say which data each byte range must get.
//
// Overlapping versions.  The kernel may report an older and a newer version
// of the same bytes (a block rewritten into a new cache block).  The rule
// here is NEWEST WINS: for any byte range only the data of the extent with
// the highest seq is ever written; older data under it is never written at
// all (writing it after the newer data would corrupt the image, and before
// it would be wasted bandwidth and need ordering between ios).  An older
// extent is not forgotten: the piece that holds the newer data "covers" it,
// and the extent is reported clean only once every piece covering any of
// its bytes has been written, i.e. when the image holds data at least as
// new as it over its whole range.  (Equal seqs on overlapping extents should
// not happen; the later-added one wins.)
//
// Ordering against ios in flight: pieces of a volume in flight never
// overlap each other, and a pending piece overlapping one in flight is
// "blocked" until that io completes, so two writes of the same bytes are
// never in flight at once (RBD may reorder them).  Data newer than a piece
// in flight is thus written after it; data older than it is hidden by it
// (covered, never written).  A failed io's pieces go back to pending and
// are re-resolved against newer pieces that arrived meanwhile.
//
// Extents are never dropped behind the caller's back: one leaves through
// written() as clean, or through release_all() handed back as still dirty.
#pragma once

#include "writeback/extent.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace hpsd::writeback {

using ExtentId = std::uint64_t;

// A byte range of one volume and the data it must get: `length` bytes at
// `cache_offset` on the partition, from the extent with `seq`.
struct Piece {
	std::uint64_t offset = 0;
	std::uint32_t length = 0;
	std::uint64_t seq = 0;
	std::uint64_t cache_offset = 0;
	std::vector<ExtentId> covers; // sorted; the data's own extent and older hidden ones
	std::uint64_t min_seq = 0;    // smallest seq among covers
	TimePoint first_seen{};	      // earliest arrival among covers

	std::uint64_t end() const noexcept { return offset + length; }
};

enum class AddOutcome { added, duplicate, invalid };

class DirtyMap {
public:
	using Pieces = std::map<std::uint64_t, Piece>; // by offset

	// Adds one extent reported at `now`.  An extent identical to one held
	// (same volume, range and seq) is a duplicate and ignored; an empty or
	// wrapping one is invalid.
	AddOutcome add(const DirtyExtent& extent, TimePoint now);

	// Pending pieces of every volume, for the planner to choose from.
	const std::map<std::uint32_t, Pieces>& pending() const noexcept { return pending_; }

	// True when [offset, offset + length) of the volume overlaps a piece in
	// flight.
	bool blocked(std::uint32_t volume, std::uint64_t offset, std::uint64_t length) const;

	// Cuts the pending piece at `offset` in two at `at` (offset < at < end),
	// so a piece larger than an io can be written in parts.
	void split(std::uint32_t volume, std::uint64_t offset, std::uint64_t at);

	// Moves the pending pieces starting at `offsets` into flight; returns
	// them in order.
	std::vector<Piece> start(std::uint32_t volume, const std::vector<std::uint64_t>& offsets);

	// The pieces in flight at `offsets` were written: returns the extents
	// now wholly written (clean), by volume then seq.
	std::vector<DirtyExtent> written(std::uint32_t volume, const std::vector<std::uint64_t>& offsets);
	// The pieces in flight at `offsets` failed: back to pending.
	void failed(std::uint32_t volume, const std::vector<std::uint64_t>& offsets);

	// True while an extent of the volume with seq <= `seq` is held
	// (pending or in flight): what a flush-on-demand waits for.
	bool holds_up_to(std::uint32_t volume, std::uint64_t seq) const;

	// Forgets every extent and returns them, by volume then seq: for the
	// engine handing dirty blocks back to the kernel (Ceph down, stop).
	// Only with nothing in flight: an io in flight would lose its pieces.
	std::vector<DirtyExtent> release_all();
	bool any_inflight() const noexcept { return !inflight_.empty(); }

	std::size_t extent_count() const noexcept { return extents_.size(); }
	std::uint64_t pending_bytes() const noexcept { return pending_bytes_; }
	std::size_t pending_piece_count() const noexcept;

private:
	struct Record {
		DirtyExtent extent;
		TimePoint first_seen;
		unsigned pieces = 0; // pieces (pending or in flight) listing it in covers
	};
	using Key = std::tuple<std::uint32_t, std::uint64_t, std::uint32_t, std::uint64_t>;

	void attach(Piece& piece);
	void detach(const Piece& piece);
	void insert(std::uint32_t volume, Piece piece);
	void insert_pending(std::uint32_t volume, Piece piece);
	void forget(ExtentId id);

	ExtentId next_id_ = 1;
	std::unordered_map<ExtentId, Record> extents_;
	std::map<Key, ExtentId> known_;				     // for duplicates
	std::map<std::uint32_t, std::multiset<std::uint64_t>> seqs_; // held seqs per volume
	std::map<std::uint32_t, Pieces> pending_;
	std::map<std::uint32_t, Pieces> inflight_;
	std::uint64_t pending_bytes_ = 0;
};

} // namespace hpsd::writeback
