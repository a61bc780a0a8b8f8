// SPDX-License-Identifier: GPL-2.0-only
#include "api/line_framer.hpp"

#include <algorithm>

namespace hps::api {

std::vector<Frame> LineFramer::feed(std::span<const char> bytes)
{
	// One byte beyond the limit is held for a "\r" that may turn out to be
	// part of the line ending; that is only known once the "\n" arrives.
	const std::size_t hold_max = max_ + 1;
	std::vector<Frame> frames;

	while (!bytes.empty()) {
		auto newline = std::find(bytes.begin(), bytes.end(), '\n');
		auto length = static_cast<std::size_t>(newline - bytes.begin());
		bool complete = newline != bytes.end();
		auto chunk = bytes.first(length);
		bytes = bytes.subspan(complete ? length + 1 : length);

		if (skipping_) {
			skipping_ = !complete;
			continue;
		}
		if (partial_.size() + chunk.size() > hold_max) {
			frames.push_back({Frame::Kind::oversize, {}});
			partial_.clear();
			partial_.shrink_to_fit(); // give back the megabyte now
			skipping_ = !complete;
			continue;
		}
		partial_.append(chunk.data(), chunk.size());
		if (!complete)
			continue;

		if (!partial_.empty() && partial_.back() == '\r')
			partial_.pop_back();
		if (partial_.size() > max_)
			frames.push_back({Frame::Kind::oversize, {}});
		else if (!partial_.empty())
			frames.push_back({Frame::Kind::line, std::move(partial_)});
		partial_.clear();
	}
	return frames;
}

} // namespace hps::api
