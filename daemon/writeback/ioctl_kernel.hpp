// SPDX-License-Identifier: GPL-2.0-only
// KernelWriteback on the module's ioctls, HPS_IOC_WB_TAKE and
// HPS_IOC_WB_DONE on /dev/hps-channel (kmod/FORMAT.md, "Writeback").
#pragma once

#include "writeback/seams.hpp"

#include <functional>
#include <optional>

namespace hpsd::writeback {

// The channel's descriptor now, or nothing while it is not open.
using ChannelFdSource = std::function<std::optional<int>()>;

class IoctlKernel final : public KernelWriteback {
public:
	explicit IoctlKernel(ChannelFdSource fd) : fd_(std::move(fd)) {}

	// -ENODEV while the channel is not open.
	hps::Result<TakeResult, int> take(std::uint32_t pool_id, std::uint32_t max) override;
	hps::Result<DoneResult, int> done(std::uint32_t pool_id,
					  std::span<const BlockResult> results) override;

private:
	ChannelFdSource fd_;
};

} // namespace hpsd::writeback
