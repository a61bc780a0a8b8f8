// SPDX-License-Identifier: GPL-2.0-only
// Which pools a node has, from the config: one pool per cache device
// partition.
//
//   partitions_per_disk 1: each cache disk is used whole (/dev/nvme0n1).
//   partitions_per_disk N > 1: partitions 1..N of each disk, named as the
//     kernel names them (/dev/nvme0n1p1, /dev/sdb1); hpsd does not create
//     partitions, the admin (or scripts/setup) does.
//
// Pool ids follow the config's order: disk d (0-based), partition k
// (1-based) is pool d * partitions_per_disk + k - 1.  The dm device is
// hps-pool-<id>, with block_sectors 8 (4 KiB blocks).  Changing the order
// of cache_disks therefore changes pool ids: the kernel then refuses the
// pools (another pool_id on the device) rather than mixing them up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hps::volume {

inline constexpr std::uint32_t pool_block_sectors = 8;

struct PoolSpec {
	std::uint32_t id = 0;
	std::string device;  // the cache device (partition)
	std::string dm_name; // hps-pool-<id>
};

std::vector<PoolSpec> pool_layout(const std::vector<std::string>& cache_disks,
				  unsigned partitions_per_disk);

// /dev/nvme0n1 + 2 -> /dev/nvme0n1p2; /dev/sdb + 2 -> /dev/sdb2.
std::string partition_path(const std::string& disk, unsigned number);

std::string pool_device_name(std::uint32_t id);

} // namespace hps::volume
