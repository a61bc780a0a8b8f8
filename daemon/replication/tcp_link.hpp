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
// Above the transport it is a FramedLink (framed_link.hpp), as RdmaLink is.
//
// Lifetime: the owner's shared_ptr is the link.  Pending I/O holds only
// weak references, so dropping the last shared_ptr closes the connection
// (as close() would, without the GOODBYE).
#pragma once

#include "replication/frame_buffer.hpp"
#include "replication/framed_link.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hpsd::replication {

class TcpLink final : public FramedLink {
	struct Passkey {}; // make_shared needs a public constructor; only create() has one of these

public:
	using Socket = boost::asio::ip::tcp::socket;

	// `socket` is connected.  An initiator says which node it dialled
	// (`expected_peer`); an acceptor takes any node of the cluster.
	static hps::Result<std::shared_ptr<TcpLink>, std::string>
	create(Socket socket, Handshake::Role role, std::optional<std::string> expected_peer,
	       const LinkSettings& settings, Hooks hooks);

	TcpLink(Passkey, Socket socket, Handshake handshake, const LinkSettings& settings, Hooks hooks);
	~TcpLink() override;

	// Runs the handshake; it fails after settings.handshake_timeout.
	void begin();

private:
	void read();
	void on_read(const boost::system::error_code& ec, std::size_t bytes);
	void take_frames();
	void write();
	void on_written(const boost::system::error_code& ec, std::size_t bytes);

	void transmit() override { write(); }
	std::vector<Release> drop_unsent() override;
	void shut() override;
	void deliver_held() override { take_frames(); }
	hps::Result<void, std::string> authenticated(const Peer& peer, const Limits& receive) override;
	std::string stalled_text() const override;

	bool reading_ = false;
	bool writing_ = false;
	std::size_t in_flight_ = 0; // bytes of the write not completed yet
	FrameBuffer rx_;
	std::vector<boost::asio::const_buffer> iov_;
	std::vector<std::span<const std::byte>> spans_;
	// Last, so it is destroyed first: no pending operation outlives the
	// buffers above (or the base's send queue).
	Socket socket_;
};

} // namespace hpsd::replication
