// SPDX-License-Identifier: GPL-2.0-only
#include "replication/rdma_send_window.hpp"

#include <algorithm>
#include <cassert>

namespace hpsd::replication {

SendWindow::SendWindow(std::uint32_t depth, std::uint32_t signal_every) noexcept
	: depth_(std::max<std::uint32_t>(depth, 1)),
	  signal_every_(std::clamp<std::uint32_t>(signal_every, 1, depth_))
{
}

SendWindow::Post SendWindow::post(bool must_signal, std::uint64_t tag)
{
	assert(has_room());
	const bool signaled = must_signal || unsignaled_ + 1 >= signal_every_;
	unsignaled_ = signaled ? 0 : unsignaled_ + 1;
	const std::uint64_t id = next_id_++;
	sent_.push_back(Sent{id, tag});
	return Post{id, signaled};
}

std::optional<std::uint64_t> SendWindow::completed(std::uint64_t id)
{
	std::optional<std::uint64_t> tag;
	while (!sent_.empty() && sent_.front().id <= id) {
		tag = sent_.front().tag;
		sent_.pop_front();
	}
	return tag;
}

} // namespace hpsd::replication
