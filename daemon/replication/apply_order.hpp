// SPDX-License-Identifier: GPL-2.0-only
// When the secondary may apply each WRITE (and DISCARD) of one volume, so
// that overlapping writes land in seq order, as they did on the primary,
// while writes that do not overlap go to the NVMe in parallel.
//
// Rules (PROTOCOL.md, "Sequence numbers and ordering"):
//  - A volume's seqs are gap-free from the RESYNC_BEGIN's first_seq on:
//    every WRITE and DISCARD takes the next one.  Frames may arrive out of
//    seq order (several paths, later); a write waits until every lower seq
//    has arrived, since only then is it known what it must follow.
//  - A write is applied once no lower-seq write overlapping it is still
//    unapplied (arrived, but its NVMe write not yet completed).
//  - A FLUSH up to S is answered once every seq <= S is applied (the
//    caller then commits metadata and sends FLUSH_ACK).
//  - Memory is bounded: a seq more than `window` past the lowest
//    unapplied one is refused (the primary never has that many writes
//    outstanding), as are a FLUSH that far ahead, more than `window`
//    FLUSHes waiting, duplicates and seqs already applied.  A refusal
//    is a protocol error: the caller closes the connection.
//
// Pure bookkeeping, one volume, one thread.  The same rules order the
// primary's own writes if it ever needs to (nothing here is side-specific).
#pragma once

#include "util/result.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace hpsd::replication {

class ApplyOrder {
public:
	static constexpr std::size_t default_window = 1024;

	// What became possible: writes to apply now and flushes to answer
	// now, each in seq order.
	struct Ready {
		std::vector<std::uint64_t> writes;
		std::vector<std::uint64_t> flushes; // their up_to
	};

	// `first_seq`: the RESYNC_BEGIN's (>= 1).  `window` >= 1.
	explicit ApplyOrder(std::uint64_t first_seq, std::size_t window = default_window);

	// A WRITE or DISCARD of [offset, offset + length) with `seq` arrived.
	hps::Result<Ready, std::string> arrive(std::uint64_t seq, std::uint64_t offset,
					       std::uint64_t length);
	// The write `seq` (one arrive() or applied() returned) is on the NVMe.
	hps::Result<Ready, std::string> applied(std::uint64_t seq);
	// A FLUSH up to `up_to` arrived; in `flushes` at once if everything up
	// to it is applied already.
	hps::Result<Ready, std::string> flush(std::uint64_t up_to);

	// Every seq <= this is applied (first_seq - 1 at the start).
	std::uint64_t applied_through() const noexcept;
	// Every seq below this has arrived.
	std::uint64_t next_expected() const noexcept { return next_expected_; }
	// Arrived and not yet applied.
	std::size_t pending() const noexcept { return writes_.size(); }

private:
	struct Entry {
		std::uint64_t offset = 0;
		std::uint64_t end = 0;
		std::size_t blockers = 0; // lower-seq overlapping writes not yet applied
		bool eligible = false;	  // every lower seq has arrived; blockers counted
		bool issued = false;	  // handed out to apply
	};

	std::uint64_t limit() const noexcept; // first seq refused as too far ahead
	void admit_contiguous(Ready& ready);
	void release_flushes(Ready& ready);

	std::map<std::uint64_t, Entry> writes_; // arrived, not applied, by seq
	std::multiset<std::uint64_t> flushes_;	 // up_to of the FLUSHes waiting
	std::uint64_t next_expected_;
	std::size_t window_;
};

} // namespace hpsd::replication
