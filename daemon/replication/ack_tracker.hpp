// SPDX-License-Identifier: GPL-2.0-only
// The primary's side of one volume's replication: hands out the seqs of
// WRITEs and DISCARDs, remembers which request each belongs to, and says
// which request may complete when a WRITE_ACK or FLUSH_ACK arrives.
//
// Protocol C: the kernel completes a replicated write only once the peer
// has it, so the caller passes the completion returned by ack() to the
// channel.  Acks may come in any order (the secondary applies writes that
// do not overlap in parallel); each completes its own write.  A FLUSH
// covers every seq handed out before it; a FLUSH_ACK up to S completes every
// waiting FLUSH with up_to <= S (durability up to S implies it up to less).
//
// An ack for a seq that is not outstanding (never sent, acked already) or
// a FLUSH_ACK that answers no FLUSH is a protocol error: the caller closes
// the connection, then abandon()s what is left, completing those requests
// without the peer and recording their ranges for resync (issue 4).
//
// Pure bookkeeping, one volume, one thread; `now` comes from the caller.
#pragma once

#include "util/result.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hpsd::replication {

class AckTracker {
public:
	using Clock = std::chrono::steady_clock;
	static constexpr std::size_t default_max_outstanding = 1024;

	// A request that may complete.  `cookie` is the caller's handle on it
	// (e.g. channel tag and serial), opaque here.
	struct Completion {
		std::uint64_t cookie = 0;
		std::uint64_t seq = 0;	  // a write's seq, a flush's up_to
		std::uint32_t status = 0; // the peer's: 0 or a Linux errno

		bool operator==(const Completion&) const = default;
	};

	struct Abandoned {
		std::vector<Completion> writes;	 // status 0: the peer never answered
		std::vector<Completion> flushes;
	};

	// `first_seq`: the seq the next write gets (the RESYNC_BEGIN's
	// first_seq; >= 1).  At most `max_outstanding` writes wait for acks,
	// and as many flushes: the secondary's window must be at least as large.
	explicit AckTracker(std::uint64_t first_seq = 1,
			    std::size_t max_outstanding = default_max_outstanding);

	// The seq for the next WRITE or DISCARD.  An error when
	// max_outstanding writes already wait: the caller holds the request
	// until an ack makes room (full() says so beforehand).
	hps::Result<std::uint64_t, std::string> send(std::uint64_t cookie, Clock::time_point now);
	bool full() const noexcept { return writes_.size() >= max_outstanding_; }

	// The peer's WRITE_ACK.
	hps::Result<Completion, std::string> ack(std::uint64_t seq, std::uint32_t status);

	// A FLUSH to send: its up_to, the last seq handed out (0 if none).  An
	// error when max_outstanding flushes already wait.
	hps::Result<std::uint64_t, std::string> flush(std::uint64_t cookie, Clock::time_point now);
	// The peer's FLUSH_ACK: the flushes it completes, oldest first.
	hps::Result<std::vector<Completion>, std::string> flush_ack(std::uint64_t up_to,
								    std::uint32_t status);

	// The connection is gone: everything outstanding, in order.  The
	// tracker is empty afterwards; seqs go on from where they were.
	Abandoned abandon();

	// When the longest-waiting write or flush was sent, for the peer
	// timeout (nullopt: nothing waits).
	std::optional<Clock::time_point> oldest_sent() const noexcept;
	std::size_t outstanding_writes() const noexcept { return writes_.size(); }
	std::size_t outstanding_flushes() const noexcept { return flushes_.size(); }
	std::uint64_t next_seq() const noexcept { return next_seq_; }

private:
	struct Waiting {
		std::uint64_t cookie = 0;
		Clock::time_point sent{};
	};
	struct WaitingFlush {
		std::uint64_t cookie = 0;
		std::uint64_t up_to = 0;
		Clock::time_point sent{};
	};

	std::map<std::uint64_t, Waiting> writes_; // by seq
	std::deque<WaitingFlush> flushes_;	  // up_to never decreases
	std::uint64_t next_seq_;
	std::size_t max_outstanding_;
};

} // namespace hpsd::replication
