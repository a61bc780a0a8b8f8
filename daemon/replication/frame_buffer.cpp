// SPDX-License-Identifier: GPL-2.0-only
#include "replication/frame_buffer.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace hpsd::replication {

std::span<std::byte> FrameBuffer::space()
{
	if (begin_ == end_)
		begin_ = end_ = 0;
	// The whole frame (or, before its header is in, the header and a
	// chunk of what follows) must fit from begin_.
	const std::size_t due = header_ ? header_bytes + header_->length : header_bytes;
	const std::size_t want = std::max(due, std::min(chunk_, max_frame_));
	if (begin_ + want > buf_.size() && begin_ > 0) {
		std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
		end_ -= begin_;
		begin_ = 0;
	}
	if (buf_.size() < want)
		buf_.resize(want);
	// next() took every whole frame, so what is left is less than `due`.
	assert(end_ < buf_.size());
	return std::span(buf_).subspan(end_);
}

hps::Result<std::optional<Message>, std::string> FrameBuffer::next(const Limits& limits)
{
	const std::span<const std::byte> have = std::span(buf_).subspan(begin_, end_ - begin_);
	if (!header_) {
		if (have.size() < header_bytes)
			return std::optional<Message>{};
		auto header = decode_header(have, limits);
		if (!header)
			return hps::fail(std::move(header).error());
		if (header_bytes + header->length > max_frame_)
			return hps::fail(std::string(to_string(header->type)) + " of " +
					 std::to_string(header->length) + " payload bytes, at most " +
					 std::to_string(max_frame_ - header_bytes) + " allowed here");
		header_ = *header;
	}
	const std::size_t size = header_bytes + header_->length;
	if (have.size() < size)
		return std::optional<Message>{};
	auto message = decode_payload(*header_, have.subspan(header_bytes, header_->length), limits);
	if (!message)
		return hps::fail(std::move(message).error());
	header_.reset();
	begin_ += size;
	return std::optional<Message>{std::move(message).value()};
}

} // namespace hpsd::replication
