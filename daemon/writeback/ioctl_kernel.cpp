// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/ioctl_kernel.hpp"

#include <linux/dm-hps.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <vector>

namespace hpsd::writeback {

static_assert(sizeof(hps_wb_block) == 32 && sizeof(hps_wb_result) == 16 &&
		      sizeof(hps_wb_range) == 16 && sizeof(hps_wb_clean) == 40,
	      "the writeback ABI structs are what this adapter copies");

hps::Result<TakeResult, int> IoctlKernel::take(std::uint32_t pool_id, const TakeRequest& request)
{
	const std::uint32_t max = request.max;
	std::vector<hps_wb_block> blocks(max);
	hps_wb_take t{};
	t.pool_id = pool_id;
	t.max = max;
	t.blocks = reinterpret_cast<std::uintptr_t>(blocks.data());
	t.roll_ms = static_cast<std::uint32_t>(
		std::clamp<std::int64_t>(request.roll.count(), 0, UINT32_MAX));
	t.throttle_us = std::min<std::uint32_t>(request.throttle_us, HPS_WB_THROTTLE_MAX_US);
	t.min_age_ms = static_cast<std::uint32_t>(
		std::clamp<std::int64_t>(request.min_age.count(), 0, UINT32_MAX));
	if (ioctl_(HPS_IOC_WB_TAKE, &t) != 0)
		return hps::fail(-errno);
	TakeResult result;
	result.cache = {t.cache_major, t.cache_minor};
	result.dirty = t.dirty;
	result.total = t.total;
	result.age = std::chrono::milliseconds(t.age_ms);
	result.blocks.reserve(t.count);
	for (std::uint32_t i = 0; i < t.count && i < max; i++)
		result.blocks.push_back({blocks[i].block, blocks[i].cache_offset, blocks[i].offset,
					 blocks[i].volume_id, blocks[i].len});
	return result;
}

hps::Result<DoneResult, int> IoctlKernel::done(std::uint32_t pool_id,
					       std::span<const BlockResult> results)
{
	if (results.empty())
		return DoneResult{};
	if (results.size() > HPS_WB_MAX)
		return hps::fail(-EINVAL);
	std::vector<hps_wb_result> out(results.size());
	for (std::size_t i = 0; i < results.size(); i++) {
		out[i].block = results[i].block;
		out[i].error = results[i].error;
	}
	hps_wb_done d{};
	d.pool_id = pool_id;
	d.count = static_cast<std::uint32_t>(out.size());
	d.results = reinterpret_cast<std::uintptr_t>(out.data());
	if (ioctl_(HPS_IOC_WB_DONE, &d) != 0)
		return hps::fail(-errno);
	DoneResult result{d.cleaned, d.kept, {}};
	result.cleaned_each.reserve(out.size());
	for (const hps_wb_result& r : out)
		result.cleaned_each.push_back((r.flags & HPS_WB_CLEANED) != 0);
	return result;
}

hps::Result<std::uint64_t, int> IoctlKernel::clean(std::uint32_t pool_id, std::uint32_t volume_id,
						  std::span<const std::pair<std::uint64_t, std::uint64_t>> ranges)
{
	std::uint64_t cleaned = 0;
	for (std::size_t first = 0; first < ranges.size(); first += HPS_WB_MAX) {
		const std::size_t n = std::min<std::size_t>(HPS_WB_MAX, ranges.size() - first);
		std::vector<hps_wb_range> in(n);
		for (std::size_t i = 0; i < n; i++)
			in[i] = {ranges[first + i].first, ranges[first + i].second};
		hps_wb_clean c{};
		c.pool_id = pool_id;
		c.volume_id = volume_id;
		c.count = static_cast<std::uint32_t>(n);
		c.ranges = reinterpret_cast<std::uintptr_t>(in.data());
		if (ioctl_(HPS_IOC_WB_CLEAN, &c) != 0)
			return hps::fail(-errno);
		cleaned += c.cleaned;
	}
	return cleaned;
}

} // namespace hpsd::writeback
