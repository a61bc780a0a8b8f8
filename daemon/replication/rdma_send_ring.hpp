// SPDX-License-Identifier: GPL-2.0-only
// The space of the RDMA transport's registered send buffer, handed out as a
// ring: each frame is copied into one contiguous piece (one SGE), pieces
// are taken in order and given back in the same order as their SENDs
// complete.  A piece that does not fit before the end of the buffer starts
// over at its beginning (the tail end is skipped, and counted as used until
// the pieces before it are given back).
//
// Small frames take only their size, not a whole slot of the largest frame
// each, so one buffer of a few MiB carries many 4 KiB WRITEs in flight.
//
// Given back by mark: every allocation returns the ring's running total of
// bytes taken (padding included) after it, and release_to(mark) gives back
// everything allocated up to that allocation, so a completion that stands
// for several SENDs (only every few are signalled) frees all of them at
// once.
//
// Pure: offsets only; the memory is the caller's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace hpsd::replication {

class SendRing {
public:
	struct Piece {
		std::size_t offset = 0; // into the buffer
		std::uint64_t mark = 0; // release_to(mark) gives it back
	};

	explicit SendRing(std::size_t capacity) noexcept : capacity_(capacity) {}

	// A contiguous piece of `bytes` (> 0), or none until earlier pieces are
	// given back.  Never one for more than capacity().
	std::optional<Piece> allocate(std::size_t bytes) noexcept;
	// Whether allocate(bytes) would succeed now.
	bool can_fit(std::size_t bytes) const noexcept;
	// Gives back every piece up to the one `mark` came with.  A mark older
	// than one given back already changes nothing.
	void release_to(std::uint64_t mark) noexcept;

	// The mark of the latest piece: release_to() of it gives back all.
	std::uint64_t mark() const noexcept { return taken_; }
	std::size_t capacity() const noexcept { return capacity_; }
	// Bytes in use, skipped tail ends included.
	std::size_t used() const noexcept { return static_cast<std::size_t>(taken_ - given_); }

private:
	// Where the next piece goes (0 when asked for more than fits at the end).
	std::optional<std::size_t> place(std::size_t bytes) const noexcept;

	std::size_t capacity_;
	std::size_t head_ = 0;	  // where the next piece starts
	std::uint64_t taken_ = 0; // bytes ever taken, padding included
	std::uint64_t given_ = 0; // bytes ever given back
};

} // namespace hpsd::replication
