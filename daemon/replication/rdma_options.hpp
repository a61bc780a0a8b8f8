// SPDX-License-Identifier: GPL-2.0-only
// The RDMA transport's own knobs: queue depths and buffer sizes of each
// link, and the connection manager's timeouts.  The protocol above (frame
// limits, keepalive, handshake) is LinkSettings', as for TCP; these only
// trade memory for throughput.  Every link registers
//
//   (receive_window + 2) x max_frame_bytes   for receiving (the 2 carry
//                                            credit messages, rdma_credits.hpp)
//   max(send_ring_bytes, 2 x peer's frame)  for sending
//
// about 26 MiB with the defaults and 1 MiB writes, once authenticated
// (before that, a few hundred bytes: a stranger costs nothing).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace hpsd::replication {

struct RdmaOptions {
	// Full-size receive buffers, i.e. the frames the peer may have in
	// flight towards this side (its credits).
	std::uint32_t receive_window = 16;
	// The registered buffer frames are copied into for sending.
	std::size_t send_ring_bytes = std::size_t{8} << 20;
	// SENDs posted and not known to be complete, at most.
	std::uint32_t send_depth = 64;
	// Ask for a completion every this many SENDs.
	std::uint32_t signal_every = 16;
	// rdma_resolve_addr and rdma_resolve_route, each.
	std::chrono::milliseconds resolve_timeout{2000};
};

} // namespace hpsd::replication
