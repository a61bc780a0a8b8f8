// SPDX-License-Identifier: GPL-2.0-only
#include "volume/pool_layout.hpp"

#include <cctype>

namespace hps::volume {

std::string partition_path(const std::string& disk, unsigned number)
{
	// The kernel puts a 'p' between a disk name ending in a digit and the
	// partition number (nvme0n1p1, loop0p1, md0p1), else nothing (sda1).
	const bool digit = !disk.empty() && std::isdigit(static_cast<unsigned char>(disk.back()));
	return disk + (digit ? "p" : "") + std::to_string(number);
}

std::string pool_device_name(std::uint32_t id)
{
	return "hps-pool-" + std::to_string(id);
}

std::vector<PoolSpec> pool_layout(const std::vector<std::string>& cache_disks,
				  unsigned partitions_per_disk)
{
	std::vector<PoolSpec> pools;
	const unsigned per_disk = partitions_per_disk == 0 ? 1 : partitions_per_disk;
	for (std::size_t d = 0; d < cache_disks.size(); ++d) {
		for (unsigned k = 1; k <= per_disk; ++k) {
			const auto id = static_cast<std::uint32_t>(d * per_disk + k - 1);
			pools.push_back({id,
					 per_disk == 1 ? cache_disks[d]
						       : partition_path(cache_disks[d], k),
					 pool_device_name(id)});
		}
	}
	return pools;
}

} // namespace hps::volume
