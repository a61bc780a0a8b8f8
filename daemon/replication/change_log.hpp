// SPDX-License-Identifier: GPL-2.0-only
// What a primary changed on one volume while its peer could not get it, so
// that the returning peer resyncs only that (issue 4, "Peer loss").
//
// One bit per block.  A write of part of a block marks the whole block:
// the secondary caches whole blocks only, so resync always sends whole
// ones.  The block is the cache's block size unless that would make the
// bitmap larger than `max_bitmap_bytes` (32 MiB by default: a 64 TiB
// volume at 4 KiB blocks would need 2 GiB); then the log tracks a coarser
// power of two (`granularity()`, 256 KiB for 64 TiB), which only means
// that resync may send more bytes than changed.  A flat bitmap of bounded
// size keeps marking O(1) per word with no allocation on the write path,
// which a two-level bitmap or an extent tree would not.
//
// Resync drains the log with take(): runs of contiguous marked blocks in
// volume order, starting where the previous take() ended and wrapping once
// around.  Taking clears the blocks, so a write that marks one again
// afterwards gets it taken again; resync is done when the log is empty.
// The cursor makes each pass sweep the whole volume: starting over at the
// lowest block each time would resend a hot region near the start again
// and again while the rest of the volume waits.
//
// Ranges past the end of the volume are clipped; runs returned are
// aligned to the granularity and clipped to the volume size.
//
// Pure bookkeeping, one volume, one thread.
#pragma once

#include "util/result.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hpsd::replication {

class ChangeLog {
public:
	static constexpr std::uint64_t min_block_bytes = 512;
	static constexpr std::size_t default_max_bitmap_bytes = std::size_t{32} << 20;

	// A byte range of the volume to resync.
	struct Run {
		std::uint64_t offset = 0;
		std::uint64_t length = 0;

		std::uint64_t end() const noexcept { return offset + length; }
		bool operator==(const Run&) const = default;
	};

	// An empty log for a volume of `volume_bytes` cached in blocks of
	// `block_bytes` (a power of two >= 512).  `max_bitmap_bytes` (>= 8)
	// bounds the bitmap; see above.
	static hps::Result<ChangeLog, std::string>
	create(std::uint64_t volume_bytes, std::uint64_t block_bytes,
	       std::size_t max_bitmap_bytes = default_max_bitmap_bytes);

	// Marks every block [offset, offset + length) touches.  Clipped to the
	// volume; length 0 marks nothing.
	void mark(std::uint64_t offset, std::uint64_t length);
	// Marks the whole volume: nothing is known about the peer (e.g. after
	// an hpsd restart), so resync is a full one.
	void mark_all();

	// The next run to resync, and clears it from the log: the lowest marked
	// block at or after the cursor (else from the start of the volume) and
	// the marked blocks that follow it contiguously, at most `max_bytes`
	// but always at least one block.  nullopt when the log is empty.
	std::optional<Run> take(std::uint64_t max_bytes);

	bool empty() const noexcept { return marked_ == 0; }
	// Blocks (of granularity() bytes) marked.
	std::uint64_t count() const noexcept { return marked_; }
	// Bytes those blocks cover, the last block of the volume clipped to it.
	std::uint64_t bytes() const noexcept;

	std::uint64_t volume_bytes() const noexcept { return volume_bytes_; }
	// The bytes one bit stands for: the cache block or a coarser power of two.
	std::uint64_t granularity() const noexcept { return std::uint64_t{1} << shift_; }
	// The bitmap's size.
	std::size_t memory_bytes() const noexcept { return words_.size() * sizeof(std::uint64_t); }

private:
	ChangeLog(std::uint64_t volume_bytes, unsigned shift, std::uint64_t blocks);

	void set_range(std::uint64_t first, std::uint64_t end);
	void clear_range(std::uint64_t first, std::uint64_t end);
	// The first block >= from whose bit is set (clear), or `limit` if none
	// below it.
	std::uint64_t find_set(std::uint64_t from, std::uint64_t limit) const noexcept;
	std::uint64_t find_clear(std::uint64_t from, std::uint64_t limit) const noexcept;

	std::vector<std::uint64_t> words_; // bit b of words_[i]: block i * 64 + b
	std::uint64_t volume_bytes_;
	std::uint64_t blocks_;	    // bits in use; those past it are always clear
	std::uint64_t marked_ = 0;  // bits set
	std::uint64_t cursor_ = 0;  // where the next take() starts looking
	unsigned shift_;	    // log2(granularity())
};

} // namespace hpsd::replication
