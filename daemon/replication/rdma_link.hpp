// SPDX-License-Identifier: GPL-2.0-only
// A peer link over one RDMA reliable connection (RC queue pair), from the
// handshake to the close.  Made by RdmaListener (acceptor side) and
// RdmaDialer (initiator side) once the connection manager has connected
// the queue pair; they hold it while it authenticates and hand it to their
// owner once it has.  Above the transport it is TcpLink: the same frames,
// handshake, keepalive, limits, errors and log lines.
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

#include "replication/handshake.hpp"
#include "replication/keepalive.hpp"
#include "replication/link.hpp"
#include "replication/link_settings.hpp"
#include "replication/rdma_credits.hpp"
#include "replication/rdma_endpoint.hpp"
#include "replication/rdma_options.hpp"
#include "replication/rdma_sender.hpp"
#include "replication/send_queue.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hpsd::replication {

class RdmaLink final : public Link, public std::enable_shared_from_this<RdmaLink> {
	struct Passkey {}; // make_shared needs a public constructor; only create() has one of these

public:
	// What the listener or dialer that made the link learns of it.
	struct Hooks {
		// The handshake succeeded.
		std::function<void(std::shared_ptr<RdmaLink>)> on_established;
		// The connection is closed, for any reason; `established`: it had
		// got past the handshake.
		std::function<void(bool established)> on_closed;
	};

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
	RdmaLink(const RdmaLink&) = delete;
	RdmaLink& operator=(const RdmaLink&) = delete;
	~RdmaLink() override;

	// Runs the handshake; it fails after settings.handshake_timeout.
	void begin();

	const Peer& peer() const noexcept override { return peer_; }
	std::string name() const override;
	bool is_open() const noexcept override;
	void start(LinkHandlers handlers) override;
	hps::Result<void, SendError> send(const Message& message, Release release = {}) override;
	void close(const std::string& reason) override;

private:
	enum class Phase : std::uint8_t {
		handshaking,
		established, // authenticated, waiting for start()
		running,
		closing, // the last frame (a GOODBYE or ERROR) going out
		closed,
	};
	using Clock = Keepalive::Clock;
	using Buffer = rdma::RdmaEndpoint::Buffer;

	// Completions and connection-manager events.
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

	void on_message(const Message& message);
	void on_handshake_step(Handshake::Step step);
	hps::Result<void, std::string> open_window();
	void on_established();

	void queue(const Message& message);
	void pump();

	void arm_timer(Clock::time_point at);
	void on_timer();
	void on_keepalive();

	// Ends the connection: logs `reason` once, sends `last` first if given
	// (waiting a moment for it to go), and tells the owner (on_lost) if
	// `notify` and it had started the link.
	void end(LogLevel level, const std::string& reason, std::optional<Message> last, bool notify);
	void finish();
	void stop_watching() noexcept;
	void log(LogLevel level, const std::string& text) const;
	std::uint16_t send_version() const noexcept;
	void post_releases(std::vector<Release> releases);
	bool active() const noexcept; // handshaking, established or running

	LinkSettings settings_;
	RdmaOptions options_;
	Hooks hooks_;
	LinkHandlers handlers_;
	std::optional<Handshake> handshake_; // until established
	Peer peer_;
	Limits limits_; // to decode with, once established
	std::string remote_;
	Phase phase_ = Phase::handshaking;
	bool established_ = false; // got past the handshake at some point
	bool begun_ = false;
	std::uint64_t next_ping_ = 1;
	std::uint64_t timer_generation_ = 0;
	Keepalive keepalive_;
	SendQueue tx_;

	RdmaCredits credits_;
	RdmaSender sender_;
	std::size_t receive_frame_ = 0; // bytes per data receive buffer
	// Completions taken from the queue and not handled yet: those after
	// the handshake's last wait for start().
	std::deque<ibv_wc> held_;

	// The connection; gone once closed.  Before the waits below, so those
	// are destroyed (released) first.
	std::optional<rdma::RdmaEndpoint> endpoint_;
	boost::asio::steady_timer timer_;
	boost::asio::posix::stream_descriptor completions_watch_;
	boost::asio::posix::stream_descriptor events_watch_;
};

} // namespace hpsd::replication
