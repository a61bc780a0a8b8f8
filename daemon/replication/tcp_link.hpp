// SPDX-License-Identifier: GPL-2.0-only
// A peer link over one TCP connection (Boost.Asio), from the handshake to
// the close.  Made by TcpListener (acceptor side) and TcpDialer (initiator
// side), which hold it while it authenticates and hand it to their owner
// once it has.
//
// Frames go back to back on the stream.  Receiving: bytes into a
// FrameBuffer, which decodes each header (bounding the payload length by
// type) before it makes room for the payload.  Sending: a SendQueue of
// encoded heads and views of WRITE data, written with gather writes (one
// writev for many frames, the data never copied).  Any frame that does not
// decode, or a message out of place, ends the connection with one log
// line (and an ERROR to the peer): the stream cannot be trusted after it.
//
// Lifetime: the owner's shared_ptr is the link.  Pending I/O holds only
// weak references, so dropping the last shared_ptr closes the connection
// (as close() would, without the GOODBYE).
#pragma once

#include "replication/frame_buffer.hpp"
#include "replication/handshake.hpp"
#include "replication/keepalive.hpp"
#include "replication/link.hpp"
#include "replication/link_settings.hpp"
#include "replication/send_queue.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hpsd::replication {

class TcpLink final : public Link, public std::enable_shared_from_this<TcpLink> {
	struct Passkey {}; // make_shared needs a public constructor; only create() has one of these

public:
	using Socket = boost::asio::ip::tcp::socket;

	// What the listener or dialer that made the link learns of it.
	struct Hooks {
		// The handshake succeeded.
		std::function<void(std::shared_ptr<TcpLink>)> on_established;
		// The connection is closed, for any reason; `established`: it had
		// got past the handshake.
		std::function<void(bool established)> on_closed;
	};

	// `socket` is connected.  An initiator says which node it dialled
	// (`expected_peer`); an acceptor takes any node of the cluster.
	static hps::Result<std::shared_ptr<TcpLink>, std::string>
	create(Socket socket, Handshake::Role role, std::optional<std::string> expected_peer,
	       const LinkSettings& settings, Hooks hooks);

	TcpLink(Passkey, Socket socket, Handshake handshake, const LinkSettings& settings, Hooks hooks);
	TcpLink(const TcpLink&) = delete;
	TcpLink& operator=(const TcpLink&) = delete;
	~TcpLink() override;

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
		closing, // the last frames (a GOODBYE or ERROR) going out
		closed,
	};
	using Clock = Keepalive::Clock;

	void read();
	void on_read(const boost::system::error_code& ec, std::size_t bytes);
	void take_frames();
	void on_message(const Message& message);
	void on_handshake_step(Handshake::Step step);
	void on_established();

	void queue(const Message& message);
	void write();
	void on_written(const boost::system::error_code& ec, std::size_t bytes);

	void arm_timer(Clock::time_point at);
	void on_timer();
	void on_keepalive();

	// Ends the connection: logs `reason` once, sends `last` first if given
	// (waiting a moment for it to go), and tells the owner (on_lost) if
	// `notify` and it had started the link.
	void end(LogLevel level, const std::string& reason, std::optional<Message> last, bool notify);
	void finish();
	void log(LogLevel level, const std::string& text) const;
	std::uint16_t send_version() const noexcept;
	void post_releases(std::vector<Release> releases);

	LinkSettings settings_;
	Hooks hooks_;
	LinkHandlers handlers_;
	std::optional<Handshake> handshake_; // until established
	Peer peer_;
	Limits limits_; // to decode with, once established
	std::string remote_;
	Phase phase_ = Phase::handshaking;
	bool established_ = false; // got past the handshake at some point
	bool reading_ = false;
	bool writing_ = false;
	std::size_t in_flight_ = 0; // bytes of the write not completed yet
	std::uint64_t next_ping_ = 1;
	std::uint64_t timer_generation_ = 0;
	Keepalive keepalive_;
	FrameBuffer rx_;
	SendQueue tx_;
	std::vector<boost::asio::const_buffer> iov_;
	std::vector<std::span<const std::byte>> spans_;
	// Last, so they are destroyed first: no pending operation outlives
	// the buffers above.
	boost::asio::steady_timer timer_;
	Socket socket_;
};

} // namespace hpsd::replication
