// SPDX-License-Identifier: GPL-2.0-only
// A peer link over one RDMA reliable connection (RC queue pair), from the
// handshake to the close.  Made by RdmaListener (acceptor side) and
// RdmaDialer (initiator side) once the connection manager has connected
// the queue pair; they hold it while it authenticates and hand it to their
// owner once it has.  Above the transport it is a FramedLink
// (framed_link.hpp), as TcpLink is: the same frames, handshake, keepalive,
// limits, errors and log lines.
//
// Frames travel whole, one per SEND; the receiver decodes each from the
// buffer it landed in (codec's decode()).  Sending: the SendQueue's frames
// are copied into a registered send ring, one SGE each, and posted as
// SEND_WITH_IMM, several per ibv_post_send, only every few signalled
// (rdma_sender.hpp).  Flow control is credits, carried
// in the immediate data (rdma_credits.hpp), so a SEND always finds a
// receive buffer.  PROTOCOL.md, "RDMA transport", has the whole picture.
//
// Everything runs on the io_context's thread: the connection manager's
// event channel and the completion channel are non-blocking fds the link
// waits on with Asio, and an idle link waits on nothing else (no polling).
//
// Lifetime: the owner's shared_ptr is the link.  Pending waits hold only
// weak references, so dropping the last shared_ptr disconnects (as
// close() would, without the GOODBYE).
#pragma once

#include "replication/framed_link.hpp"
#include "replication/rdma_credits.hpp"
#include "replication/rdma_endpoint.hpp"
#include "replication/rdma_options.hpp"
#include "replication/rdma_sender.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hpsd::replication {

class RdmaLink final : public FramedLink {
	struct Passkey {}; // make_shared needs a public constructor; only create() has one of these

public:
	// `endpoint` is connected: accepted (acceptor), or established
	// (initiator), its handshake receives posted.  An initiator says which
	// node it dialled (`expected_peer`); an acceptor takes any node of the
	// cluster.
	static hps::Result<std::shared_ptr<RdmaLink>, std::string>
	create(boost::asio::io_context& io, rdma::RdmaEndpoint endpoint, Handshake::Role role,
	       std::optional<std::string> expected_peer, const LinkSettings& settings,
	       const RdmaOptions& options, Hooks hooks);

	RdmaLink(Passkey, boost::asio::io_context& io, rdma::RdmaEndpoint endpoint, Handshake handshake,
		 const LinkSettings& settings, const RdmaOptions& options, Hooks hooks);
	~RdmaLink() override;

	// Runs the handshake; it fails after settings.handshake_timeout.
	void begin();

private:
	using Buffer = rdma::RdmaEndpoint::Buffer;

	// Completions and connection-manager events (rdma_link_events.cpp).
	void watch_completions();
	void watch_events();
	void on_completion_event();
	void poll_completions();
	void on_completion(const ibv_wc& wc);
	void on_receive(const ibv_wc& wc);
	void on_send_done(const ibv_wc& wc);
	void on_events();
	void on_disconnected();
	bool repost(std::uint32_t index);
	std::string failure_text(const ibv_wc& first);

	// Posts what can go (RdmaSender).
	void pump();
	void stop_watching() noexcept;

	void transmit() override { pump(); }
	std::vector<Release> drop_unsent() override;
	bool can_send_last() const noexcept override { return begun_; }
	void shut() override;
	void deliver_held() override { poll_completions(); }
	hps::Result<void, std::string> authenticated(const Peer& peer, const Limits& receive) override;
	std::string transport_note() const override;
	void before_peer_lost() override;
	std::string stalled_text() const override;

	RdmaOptions options_;
	bool begun_ = false;

	RdmaCredits credits_;
	RdmaSender sender_;
	std::size_t receive_frame_ = 0; // bytes per data receive buffer
	// Completions taken from the queue and not handled yet: those after
	// the handshake's last wait for start().
	std::deque<ibv_wc> held_;

	// The connection; gone once closed.  Before the waits below, so those
	// are destroyed (released) first.
	std::optional<rdma::RdmaEndpoint> endpoint_;
	boost::asio::posix::stream_descriptor completions_watch_;
	boost::asio::posix::stream_descriptor events_watch_;
};

} // namespace hpsd::replication
