// SPDX-License-Identifier: GPL-2.0-only
// The writeback planner's vocabulary: what the kernel reports as dirty and
// what the planner hands the engine to do.  Plain data, no behaviour, so the
// engine, the planner and the tests can all speak it without pulling in
// anything else.
#pragma once

#include <chrono>
#include <cstdint>
#include <tuple>
#include <vector>

namespace hpsd::writeback {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// One dirty extent as the kernel reports it (WB_TAKE).  `seq` is the
// volume's write sequence number when the extent became dirty: smaller is
// older, and it is only comparable between extents of the same volume.
// `cache_offset_bytes` is where the extent's data sits on the NVMe partition.
struct DirtyExtent {
	std::uint32_t volume_id = 0;
	std::uint64_t offset_bytes = 0;
	std::uint32_t length_bytes = 0;
	std::uint64_t seq = 0;
	std::uint64_t cache_offset_bytes = 0;

	std::uint64_t end_bytes() const noexcept { return offset_bytes + length_bytes; }
	friend bool operator==(const DirtyExtent&, const DirtyExtent&) = default;
};

// One NVMe read the engine does for an io: `length_bytes` from
// `cache_offset_bytes` on the partition into the io's buffer at
// `volume_offset_bytes - WritebackIo::offset_bytes`.  `seq` is that of the
// extent the data belongs to (for logs; marking clean uses
// Planner::complete()'s answer).
struct ReadSegment {
	std::uint64_t cache_offset_bytes = 0;
	std::uint64_t volume_offset_bytes = 0;
	std::uint32_t length_bytes = 0;
	std::uint64_t seq = 0;

	friend bool operator==(const ReadSegment&, const ReadSegment&) = default;
};

using IoId = std::uint64_t;

// One backend (RBD) write: the contiguous volume range
// [offset_bytes, offset_bytes + length_bytes), assembled from `reads`, which
// are in volume-offset order and tile the range exactly.
struct WritebackIo {
	IoId id = 0;
	std::uint32_t volume_id = 0;
	std::uint64_t offset_bytes = 0;
	std::uint32_t length_bytes = 0;
	std::uint64_t min_seq = 0;	// oldest data this io brings up to date
	bool flush_priority = false;	// issued for a flush-on-demand request
	std::vector<ReadSegment> reads;

	std::uint64_t end_bytes() const noexcept { return offset_bytes + length_bytes; }
};

} // namespace hpsd::writeback
