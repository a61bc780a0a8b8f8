// SPDX-License-Identifier: GPL-2.0-only
// A desired nvmet state for the export tests to start from.
#pragma once

#include "export/nvmet_state.hpp"

namespace hps::test {

inline constexpr const char* host_a =
	"nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-4000-8000-000000000001";
inline constexpr const char* host_b =
	"nqn.2014-08.org.nvmexpress:uuid:bbbbbbbb-0000-4000-8000-000000000002";
inline constexpr const char* host_c =
	"nqn.2014-08.org.nvmexpress:uuid:cccccccc-0000-4000-8000-000000000003";
inline constexpr const char* sample_cluster = "8d4f1f6e-2b0a-4c55-9a57-3f6c1e0b9d21";

// Two volumes (1 optimized here, 2 not; 1 allows hosts a and b, 2 host a)
// on two ports (8400 tcp over IPv4, 8401 rdma over IPv6).
hpsd::exports::NvmetState sample_state();

} // namespace hps::test
