// SPDX-License-Identifier: GPL-2.0-only
// A link's outgoing frames, in order, bounded.  Each frame is its encoded
// head and, for a WRITE, a view of the caller's data (EncodedFrame): the
// transport writes both with one gather write and the data is never
// copied.  The queue tracks how much of the front frame went out already,
// so a short write resumes mid-frame.
//
// Pure bookkeeping: no sockets, no clock.
#pragma once

#include "replication/codec.hpp"
#include "replication/link.hpp"
#include "replication/link_settings.hpp"

#include <cstddef>
#include <deque>
#include <span>
#include <vector>

namespace hpsd::replication {

class SendQueue {
public:
	explicit SendQueue(SendLimits limits) : limits_(limits) {}

	// Queues `frame` unless that would pass the limits (a frame alone in
	// the queue is always taken, however large).  A refusal is remembered:
	// take_room() reports when the queue has drained enough to try again.
	bool try_push(EncodedFrame frame, Release release);
	// Queues `frame` whatever the limits: the one GOODBYE or ERROR a
	// closing link sends.
	void force_push(EncodedFrame frame, Release release);

	// The frame at the head of the queue (not empty()), for a transport
	// that sends whole frames (RDMA): it takes the frame with
	// written(its size) once it has copied or posted it.
	const EncodedFrame& front() const noexcept { return frames_.front().frame; }

	// Views of the bytes not yet written, in order, at most `max_buffers`
	// of them (a gather write's limit).
	void gather(std::vector<std::span<const std::byte>>& out, std::size_t max_buffers) const;
	// `bytes` of what gather() gave went out.  Returns the releases of the
	// frames now written in full, in order, for the caller to run.
	std::vector<Release> written(std::size_t bytes);

	// Drops every frame not begun, keeping those partly written or within
	// the `in_flight` bytes of a write not completed yet (the stream would
	// be broken without their rest).  Returns their releases.
	std::vector<Release> drop_unstarted(std::size_t in_flight = 0);
	// Drops everything: the connection is gone.
	std::vector<Release> clear();

	// True once after a refused try_push() when the queue is down to half
	// its limits: time for the owner's on_writable.
	bool take_room();

	bool empty() const noexcept { return frames_.empty(); }
	std::size_t frames() const noexcept { return frames_.size(); }
	std::size_t bytes() const noexcept { return bytes_; }
	// Whether the front frame is partly written.
	bool mid_frame() const noexcept { return offset_ != 0; }

private:
	struct Entry {
		EncodedFrame frame;
		Release release;
		std::size_t size() const noexcept { return frame.head.size() + frame.data.size(); }
	};

	void push(EncodedFrame frame, Release release);

	SendLimits limits_;
	std::deque<Entry> frames_;
	std::size_t bytes_ = 0;	 // of every queued frame, the front one's written part included
	std::size_t offset_ = 0; // bytes of the front frame already written
	bool refused_ = false;
};

} // namespace hpsd::replication
