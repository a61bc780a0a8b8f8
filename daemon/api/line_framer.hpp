// SPDX-License-Identifier: GPL-2.0-only
// LineFramer splits a byte stream into newline-terminated lines of bounded
// length.  A line that grows past the bound is reported once, as soon as it
// crosses it (so the peer hears about it without having to send a newline
// first), and then skipped up to its newline; memory use stays bounded by the
// limit whatever the peer sends.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace hps::api {

struct Frame {
	enum class Kind { line, oversize };
	Kind kind;
	std::string text; // the line without "\n" (and without a trailing "\r"); empty for oversize
};

class LineFramer {
public:
	explicit LineFramer(std::size_t max_line_bytes) : max_(max_line_bytes) {}

	// Consumes `bytes`; returns the frames completed by them, in order.
	// Empty lines are skipped: they are not requests, and tolerating them
	// lets people type at the socket with a terminal tool.
	std::vector<Frame> feed(std::span<const char> bytes);

	// True while bytes of an unfinished line are held (or skipped).
	bool mid_line() const noexcept { return !partial_.empty() || skipping_; }

private:
	std::size_t max_;
	std::string partial_;
	bool skipping_ = false; // inside an oversize line, waiting for its newline
};

} // namespace hps::api
