// SPDX-License-Identifier: GPL-2.0-only
// The initiator side of the RDMA transport for one peer, TcpDialer's twin:
// resolves the peer's address and a route to it with the RDMA connection
// manager, connects an RC queue pair (all within the connect timeout), runs
// the handshake (as initiator, expecting that node) and hands the
// authenticated link to its owner.  Whenever there is no link — resolving,
// connecting or the handshake failed, or the link handed out ended for any
// reason — it dials again, after a delay that doubles from `first_retry`
// up to `max_retry` while attempts keep failing.
//
// Handlers run on the io_context; the dialer's state lives as long as one
// of them is pending, so destroying the dialer (which stops it) is safe at
// any time.
#pragma once

#include "config/listen_address.hpp"
#include "replication/dial_options.hpp"
#include "replication/link.hpp"
#include "replication/link_settings.hpp"
#include "replication/rdma_options.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>

namespace hpsd::replication {

class RdmaDialer {
public:
	// Takes an authenticated link; the owner keeps it (dropping it closes
	// it, and the dialer dials again) and calls start() on it.
	using OnLink = std::function<void(std::shared_ptr<Link> link)>;

	RdmaDialer(boost::asio::io_context& io, LinkSettings settings, std::string peer_node,
		   ListenAddress address, DialOptions options, OnLink on_link,
		   RdmaOptions rdma_options = {});
	RdmaDialer(const RdmaDialer&) = delete;
	RdmaDialer& operator=(const RdmaDialer&) = delete;
	~RdmaDialer();

	// Dials now, and again whenever there is no link.
	void start();
	// No more dialling; an attempt under way is abandoned.  A link handed
	// out already is its owner's.
	void stop();

	// Attempts that failed since the last link was established.
	unsigned failures() const noexcept;

private:
	struct State;
	std::shared_ptr<State> state_;
};

} // namespace hpsd::replication
