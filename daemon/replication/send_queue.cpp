// SPDX-License-Identifier: GPL-2.0-only
#include "replication/send_queue.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace hpsd::replication {

bool SendQueue::try_push(EncodedFrame frame, Release release)
{
	const std::size_t size = frame.head.size() + frame.data.size();
	const bool fits = frames_.size() < limits_.max_frames &&
			  (frames_.empty() || bytes_ + size <= limits_.max_bytes);
	if (!fits) {
		refused_ = true;
		return false;
	}
	push(std::move(frame), std::move(release));
	return true;
}

void SendQueue::force_push(EncodedFrame frame, Release release)
{
	push(std::move(frame), std::move(release));
}

void SendQueue::push(EncodedFrame frame, Release release)
{
	Entry entry{std::move(frame), std::move(release)};
	bytes_ += entry.size();
	frames_.push_back(std::move(entry));
}

void SendQueue::gather(std::vector<std::span<const std::byte>>& out, std::size_t max_buffers) const
{
	std::size_t skip = offset_;
	for (const Entry& e : frames_) {
		for (std::span<const std::byte> part :
		     {std::span<const std::byte>(e.frame.head), e.frame.data}) {
			if (skip >= part.size()) {
				skip -= part.size();
				continue;
			}
			if (out.size() == max_buffers)
				return;
			out.push_back(part.subspan(skip));
			skip = 0;
		}
	}
}

std::vector<Release> SendQueue::written(std::size_t bytes)
{
	assert(bytes <= bytes_ - offset_);
	std::vector<Release> done;
	offset_ += bytes;
	while (!frames_.empty() && offset_ >= frames_.front().size()) {
		Entry& front = frames_.front();
		offset_ -= front.size();
		bytes_ -= front.size();
		if (front.release)
			done.push_back(std::move(front.release));
		frames_.pop_front();
	}
	return done;
}

std::vector<Release> SendQueue::drop_unstarted(std::size_t in_flight)
{
	std::size_t keep = 0;
	for (std::size_t start = 0; keep < frames_.size() && start < offset_ + in_flight; keep++)
		start += frames_[keep].size();
	std::vector<Release> dropped;
	while (frames_.size() > keep) {
		Entry& back = frames_.back();
		bytes_ -= back.size();
		if (back.release)
			dropped.push_back(std::move(back.release));
		frames_.pop_back();
	}
	// Released in the order they were queued.
	std::reverse(dropped.begin(), dropped.end());
	return dropped;
}

std::vector<Release> SendQueue::clear()
{
	std::vector<Release> dropped;
	for (Entry& e : frames_)
		if (e.release)
			dropped.push_back(std::move(e.release));
	frames_.clear();
	bytes_ = 0;
	offset_ = 0;
	return dropped;
}

bool SendQueue::take_room()
{
	if (!refused_ || frames_.size() > limits_.max_frames / 2 || bytes_ > limits_.max_bytes / 2)
		return false;
	refused_ = false;
	return true;
}

} // namespace hpsd::replication
