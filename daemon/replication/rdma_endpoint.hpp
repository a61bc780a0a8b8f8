// SPDX-License-Identifier: GPL-2.0-only
// One RDMA connection's objects, from its connection-manager id to its
// registered buffers: the event channel the id reports on, a protection
// domain, a completion queue (send and receive share it) with its
// completion channel, an RC queue pair, and the link's buffers.  The
// dialer and the listener make it and connect it; the link then owns it.
// Dropping it disconnects and releases everything, in the order the
// libraries need (rdma_resources.hpp).
//
// Both channels' fds are non-blocking, so the owner waits for them with
// Asio and nothing here ever blocks.
#pragma once

#include "replication/link_common.hpp"
#include "replication/rdma_credits.hpp"
#include "replication/rdma_options.hpp"
#include "replication/rdma_resources.hpp"
#include "replication/wire.hpp"
#include "util/result.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace hpsd::replication::rdma {

// What rdma_connect() and rdma_accept() ask for: sends only (no RDMA
// READ or WRITE, so no responder resources); the transport's retries on
// loss; and few retries when the peer has no receive posted, which the
// credits rule out (a peer sending without credit gets an error, not an
// endless wait).
rdma_conn_param connection_parameters() noexcept;

class RdmaEndpoint {
public:
	// The link's registered buffers.
	enum class Buffer : std::uint8_t {
		// handshake_credits of handshake_frame_bytes each, posted by
		// create_queue_pair(): a stranger costs no more than that
		handshake_receive,
		handshake_send,
		receive, // once authenticated: the window and the credit buffers
		send,	 // once authenticated: the send ring
	};

	// Active side: a fresh channel and id (RDMA_PS_TCP port space), to
	// resolve an address and a route on and connect.
	static hps::Result<RdmaEndpoint, std::string> open();
	// Passive side: the id of a connection request (whose event is
	// acknowledged already), moved to a channel of its own so the link
	// gets its events and not the listener.
	static hps::Result<RdmaEndpoint, std::string> adopt(CmId id);

	RdmaEndpoint(RdmaEndpoint&&) noexcept = default;
	RdmaEndpoint& operator=(RdmaEndpoint&&) = delete;
	RdmaEndpoint(const RdmaEndpoint&) = delete;
	RdmaEndpoint& operator=(const RdmaEndpoint&) = delete;
	~RdmaEndpoint();

	// Once the id is bound to a device (address resolved, or a connection
	// request): the protection domain, the completion channel and queue,
	// the queue pair, and the handshake's receive buffers, posted, so the
	// peer's first frames find them.
	hps::Result<void, std::string> create_queue_pair(const RdmaOptions& options);

	rdma_cm_id* id() const noexcept { return id_.get(); }
	rdma_event_channel* events() const noexcept { return channel_.get(); }
	int event_fd() const noexcept { return channel_->fd; }
	int completion_fd() const noexcept { return completions_->fd; }
	// "10.0.0.2:7790", the other end.
	std::string peer_address() const;

	hps::Result<void, std::string> register_buffer(Buffer which, std::size_t bytes);
	const RegisteredBuffer& buffer(Buffer which) const noexcept
	{
		return buffers_[static_cast<std::size_t>(which)];
	}

	// Receives' work request ids carry this bit and the receive buffer's
	// index (the handshake's first, then the window's); sends' do not.
	static constexpr std::uint64_t receive_bit = std::uint64_t{1} << 63;

	// One receive into `bytes` of `which` at `offset`.
	hps::Result<void, std::string> post_receive(Buffer which, std::size_t offset, std::size_t bytes,
						    std::uint64_t wr_id);
	// A chain of sends, in one call.
	hps::Result<void, std::string> post_send(ibv_send_wr& first);

	// Acknowledges every pending completion event and asks for the next
	// one; poll() after it, so a completion that came in between is not
	// missed.
	hps::Result<void, std::string> rearm();
	// Completions into `out`: how many (0: none left).
	hps::Result<std::size_t, std::string> poll(std::span<ibv_wc> out);

	// Sends the peer a disconnect (the queue pair stops); idempotent.
	void disconnect() noexcept;

	// Whether the id's port is up; true for an id on no device yet (it
	// has sent nothing) or whose port cannot be read (the device going
	// away needs its ids destroyed, not kept).
	bool port_active() const noexcept;
	// Frees the buffers and the verbs objects (queue pair, completion
	// queue and channel, protection domain) and keeps only the id and its
	// event channel; sends nothing.
	void release_verbs() noexcept;

private:
	explicit RdmaEndpoint(EventChannel channel, CmId id) noexcept;

	// Declared in the order they are made; destroyed in reverse.
	EventChannel channel_;
	CmId id_;
	ProtectionDomain pd_;
	CompletionChannel completions_;
	CompletionQueue cq_;
	QueuePair qp_;
	std::array<RegisteredBuffer, 4> buffers_;
	bool disconnected_ = false;
};

// Ends a connection that is over, from the executor (after the running
// handler returns: a WRITE it was given may point into the buffers).  With
// the port up: disconnect now (the peer learns at once), free everything.
// With the port down (the link cut under it): free the buffers and verbs
// objects, but keep the connection id until the port is up again, asking
// every second; only then disconnect and destroy it.  Why: destroying or
// disconnecting a connected id sends a connection-manager message, and on
// soft-RoCE (rdma_rxe, Linux 6.1) one sent while the port is down fails on
// the connection manager's queue pair, which is then put back to send but
// never again receives: the node can no longer connect or accept at all
// (its requests go out, no reply ever gets in) until the rxe device is
// made again.  PROTOCOL.md, "RDMA transport", has the story.
void retire(const boost::asio::any_io_executor& executor, RdmaEndpoint endpoint);

} // namespace hpsd::replication::rdma
