// SPDX-License-Identifier: GPL-2.0-only
// The receive side of a stream transport: bytes in as the socket gives
// them, whole frames out.  A frame's 32-byte header is decoded (and its
// payload length bounded) as soon as it is in, before room for the payload
// is made; then exactly that payload is awaited and decoded.  The buffer
// never grows past the largest frame allowed, so a peer cannot make it
// allocate more by lying about a length.
//
// Pure: the caller reads into space(), commit()s, and takes frames with
// next() until it has none.
#pragma once

#include "replication/codec.hpp"
#include "replication/message.hpp"
#include "replication/wire.hpp"
#include "util/result.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hpsd::replication {

class FrameBuffer {
public:
	// `max_frame`: header and payload, e.g. max_frame_bytes(limits).
	// `chunk`: how much to read at a time when no larger frame is due.
	FrameBuffer(std::size_t max_frame, std::size_t chunk) : max_frame_(max_frame), chunk_(chunk) {}

	// For the frames not received yet (a link allows bigger frames once
	// its peer is authenticated).
	void set_bounds(std::size_t max_frame, std::size_t chunk) noexcept
	{
		max_frame_ = max_frame;
		chunk_ = chunk;
	}

	// Where the next bytes go: never empty.  Call it only once next() has
	// no more frames; it invalidates what next() returned.
	std::span<std::byte> space();
	void commit(std::size_t bytes) noexcept { end_ += bytes; }

	// The next whole frame's message, nothing while it is incomplete, or
	// one line on what is wrong with it (the stream is then unusable).  A
	// Write's data views this buffer until space() is called.
	hps::Result<std::optional<Message>, std::string> next(const Limits& limits);

	// Bytes received and not yet taken as frames.
	std::size_t pending() const noexcept { return end_ - begin_; }

private:
	std::vector<std::byte> buf_;
	std::size_t begin_ = 0; // the first byte of the frame being received
	std::size_t end_ = 0;	// the end of what was received
	std::optional<Header> header_; // of the frame at begin_, once decoded
	std::size_t max_frame_;
	std::size_t chunk_;
};

} // namespace hpsd::replication
