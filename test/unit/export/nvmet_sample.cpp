// SPDX-License-Identifier: GPL-2.0-only
#include "nvmet_sample.hpp"

namespace hps::test {

hpsd::exports::NvmetState sample_state()
{
	hpsd::exports::NvmetState state;
	state.cluster_id = sample_cluster;
	state.ports = {{8400, "tcp", "ipv4", "192.168.10.1", "4420"},
		       {8401, "rdma", "ipv6", "fd00:20::1", "4420"}};
	state.volumes = {{1, "/dev/mapper/hps-db1", "optimized", {host_a, host_b}},
			 {2, "/dev/mapper/hps-db2", "inaccessible", {host_a}}};
	return state;
}

} // namespace hps::test
