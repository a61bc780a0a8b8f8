// SPDX-License-Identifier: GPL-2.0-only
// KernelWriteback on the module's ioctls, HPS_IOC_WB_TAKE and
// HPS_IOC_WB_DONE on /dev/hps-channel (kmod/FORMAT.md, "Writeback"), and
// HPS_IOC_WB_CLEAN for a secondary's clean marks.
#pragma once

#include "writeback/seams.hpp"

#include <functional>
#include <utility>

namespace hpsd::writeback {

// ioctl(2) on the channel's descriptor: 0, or -1 with errno (e.g.
// ChannelServer::ioctl, which fails with ENOTCONN while not attached).
using ChannelIoctl = std::function<int(unsigned long request, void* arg)>;

class IoctlKernel final : public KernelWriteback {
public:
	explicit IoctlKernel(ChannelIoctl ioctl) : ioctl_(std::move(ioctl)) {}

	// Errors are the ioctl's errno, negated.
	hps::Result<TakeResult, int> take(std::uint32_t pool_id, const TakeRequest& request) override;
	hps::Result<DoneResult, int> done(std::uint32_t pool_id,
					  std::span<const BlockResult> results) override;
	// HPS_IOC_WB_CLEAN of a secondary volume's [offset, offset + length)
	// ranges (any number: split into calls of HPS_WB_MAX); the blocks it
	// cleaned.  Not part of the engine's seam: the secondary's replication
	// calls it.
	hps::Result<std::uint64_t, int>
	clean(std::uint32_t pool_id, std::uint32_t volume_id,
	      std::span<const std::pair<std::uint64_t, std::uint64_t>> ranges);

private:
	ChannelIoctl ioctl_;
};

} // namespace hpsd::writeback
