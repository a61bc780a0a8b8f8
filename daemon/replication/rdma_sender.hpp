// SPDX-License-Identifier: GPL-2.0-only
// The send side of an RDMA link: takes frames from the link's SendQueue,
// copies each into the registered send ring (one SGE), and posts them as
// SEND_WITH_IMM carrying the credits owed, all that can go in one
// ibv_post_send chain; adds a credit message when enough is owed and no
// frame carries it.  Completions give ring space back.
//
// A frame goes while there is a credit for it, room in the send queue
// (SendWindow) and room in the ring (SendRing).  Signalled: every n-th
// SEND, the last frame of a closing link (to know when it went), and any
// SEND that leaves the ring too full for one more of the largest frames
// (so space always comes back).
//
// Frames are copied, not sent from the caller's memory: that memory is not
// registered (zero copy needs the kernel channel's buffer registered,
// later), and a copied frame's release is due at once.
#pragma once

#include "replication/link.hpp"
#include "replication/rdma_credits.hpp"
#include "replication/rdma_endpoint.hpp"
#include "replication/rdma_options.hpp"
#include "replication/rdma_send_ring.hpp"
#include "replication/rdma_send_window.hpp"
#include "replication/send_queue.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hpsd::replication {

class RdmaSender {
public:
	// Until authenticated: the endpoint's small handshake send buffer,
	// frames of at most handshake_frame_bytes.
	RdmaSender(const RdmaOptions& options, std::size_t handshake_ring_bytes);

	// Authenticated: frames go to the endpoint's send buffer (`bytes`
	// registered), up to `max_frame` each.  SENDs still outstanding from
	// the handshake ring give nothing of this one back.
	void use_data_ring(std::size_t bytes, std::size_t max_frame);

	// Posts what can go.  `closing`: the queue holds the link's last frame
	// (GOODBYE or ERROR), which is signalled and remembered, and no credit
	// message goes.
	struct Posted {
		// The releases of the frames copied, for the caller to run from
		// its event loop: due even when posting failed (the frames left
		// the queue).
		std::vector<Release> released;
		bool any = false;		  // something was posted
		std::optional<std::string> error; // posting failed: the queue pair is unusable
	};
	Posted pump(rdma::RdmaEndpoint& endpoint, SendQueue& queue, RdmaCredits& credits, bool closing);

	// A send completed successfully (and every one before it).  True when
	// that includes a closing link's last frame.
	bool completed(std::uint64_t wr_id);

private:
	using Buffer = rdma::RdmaEndpoint::Buffer;

	// Appends one SEND to the chain being built.
	void add(std::uint64_t id, bool signaled, std::uint32_t credits, std::optional<ibv_sge> sge);

	SendWindow window_;
	SendRing ring_;
	Buffer ring_buffer_ = Buffer::handshake_send;
	std::size_t max_frame_; // the largest frame this side sends now
	std::optional<std::uint64_t> last_; // closing: the id of the last frame's SEND
	std::vector<ibv_send_wr> wrs_; // the chain being built
	std::vector<ibv_sge> sges_;
};

} // namespace hpsd::replication
