// SPDX-License-Identifier: GPL-2.0-only
// The RDMA transport's posted SENDs: how many may be outstanding (the send
// queue's depth), which of them ask for a completion, and what a
// completion gives back.
//
// Signalling every SEND would cost a completion-queue entry and a poll per
// frame; so only every `signal_every`-th is signalled (IBV_SEND_SIGNALED),
// plus any the caller needs to hear of (the last frame before a close, or
// one that leaves the send buffer too full for another frame).  On a
// reliable connection SENDs complete in order, so one completion stands for
// every SEND posted before it.  Since at least one of any `signal_every`
// consecutive SENDs is signalled, a full queue (depth >= signal_every)
// always has a completion coming.
//
// Each post carries a tag the caller wants back when it completes (the
// send ring's mark, say); completed() returns the latest one it covers.
//
// Pure: ids and counts only.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace hpsd::replication {

class SendWindow {
public:
	// `depth` >= 1; `signal_every` is clamped to 1..depth.
	SendWindow(std::uint32_t depth, std::uint32_t signal_every) noexcept;

	struct Post {
		std::uint64_t id = 0;  // the work request's wr_id (never 0)
		bool signaled = false; // set IBV_SEND_SIGNALED
	};

	// Room for one more SEND.
	bool has_room() const noexcept { return outstanding() < depth_; }
	// Records a SEND (has_room() must hold): `must_signal` asks for its
	// completion.
	Post post(bool must_signal, std::uint64_t tag);
	// The SEND `id` completed, and so did every one before it: the tag of
	// the latest of them, if `id` was outstanding.
	std::optional<std::uint64_t> completed(std::uint64_t id);

	std::uint32_t outstanding() const noexcept { return static_cast<std::uint32_t>(sent_.size()); }
	// The id of the latest SEND posted (0: none yet).
	std::uint64_t last_id() const noexcept { return next_id_ - 1; }

private:
	struct Sent {
		std::uint64_t id;
		std::uint64_t tag;
	};

	std::uint32_t depth_;
	std::uint32_t signal_every_;
	std::uint32_t unsignaled_ = 0; // posts since the last signalled one
	std::uint64_t next_id_ = 1;
	std::deque<Sent> sent_; // outstanding, oldest first
};

} // namespace hpsd::replication
