// SPDX-License-Identifier: GPL-2.0-only
// The acceptor side of the RDMA transport, TcpListener's twin: listens with
// the RDMA connection manager on replication.listen, accepts each
// connection request on a queue pair of its own, runs the handshake on it
// (as acceptor) and hands the authenticated links to its owner.  A
// connection that fails the handshake or times out is closed with one log
// line, and the listener goes on serving; so does it when too many
// strangers are mid-handshake (the newest is rejected).
//
// Handlers run on the io_context; the listener's state lives as long as
// one of them is pending, so destroying the listener (which stops it) is
// safe at any time.
#pragma once

#include "config/listen_address.hpp"
#include "replication/link.hpp"
#include "replication/link_settings.hpp"
#include "replication/rdma_options.hpp"
#include "util/result.hpp"

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace hpsd::replication {

class RdmaListener {
public:
	// Takes an authenticated link; the owner keeps it (dropping it closes
	// it) and calls start() on it.
	using OnLink = std::function<void(std::shared_ptr<Link> link)>;
	static constexpr std::size_t default_max_handshakes = 16;

	RdmaListener(boost::asio::io_context& io, LinkSettings settings, OnLink on_link,
		     std::size_t max_handshakes = default_max_handshakes, RdmaOptions options = {});
	RdmaListener(const RdmaListener&) = delete;
	RdmaListener& operator=(const RdmaListener&) = delete;
	~RdmaListener();

	// Binds `address` (a host name is resolved; port 0 picks a free port)
	// and starts accepting.  The address must be one of an RDMA device's
	// (0.0.0.0: every device's).
	hps::Result<void, std::string> listen(const ListenAddress& address);
	// The port bound, once listening.
	std::uint16_t port() const noexcept;

	// Stops accepting and closes the connections still in their
	// handshake.  Links already handed out are their owner's.
	void stop();

private:
	struct State;
	std::shared_ptr<State> state_;
};

} // namespace hpsd::replication
