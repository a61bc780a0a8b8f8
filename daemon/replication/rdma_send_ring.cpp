// SPDX-License-Identifier: GPL-2.0-only
#include "replication/rdma_send_ring.hpp"

namespace hpsd::replication {

std::optional<std::size_t> SendRing::place(std::size_t bytes) const noexcept
{
	if (bytes == 0 || bytes > capacity_)
		return std::nullopt;
	const std::size_t in_use = used();
	if (in_use == 0)
		return 0; // empty: start over at the beginning, the most room
	// The oldest piece in use starts `in_use` bytes before head_.
	const std::size_t tail = (head_ + capacity_ - in_use % capacity_) % capacity_;
	if (in_use == capacity_)
		return std::nullopt;
	if (head_ >= tail) {
		// Free: [head_, capacity_) and [0, tail).
		if (capacity_ - head_ >= bytes)
			return head_;
		if (tail >= bytes)
			return 0;
		return std::nullopt;
	}
	// Free: [head_, tail).
	if (tail - head_ >= bytes)
		return head_;
	return std::nullopt;
}

bool SendRing::can_fit(std::size_t bytes) const noexcept
{
	return place(bytes).has_value();
}

std::optional<SendRing::Piece> SendRing::allocate(std::size_t bytes) noexcept
{
	const auto at = place(bytes);
	if (!at)
		return std::nullopt;
	if (used() == 0) {
		head_ = 0;
	} else if (*at < head_) {
		taken_ += capacity_ - head_; // the tail end is skipped
	}
	head_ = *at + bytes;
	taken_ += bytes;
	if (head_ == capacity_)
		head_ = 0;
	return Piece{*at, taken_};
}

void SendRing::release_to(std::uint64_t mark) noexcept
{
	if (mark > given_ && mark <= taken_)
		given_ = mark;
}

} // namespace hpsd::replication
