// SPDX-License-Identifier: GPL-2.0-only
// The manager's seam over the replication transports: a listener and a
// dialer of the kind `replication.transport` names (TcpListener/TcpDialer
// or RdmaListener/RdmaDialer, which have the same shape) behind two small
// interfaces, so the manager's code is the same for both.  Tests pass a
// Transport of their own.
#pragma once

#include "config/config.hpp"
#include "config/listen_address.hpp"
#include "replication/link.hpp"
#include "replication/link_settings.hpp"
#include "util/result.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace hpsd::replication {

// Takes an authenticated link; its owner keeps it and calls start() on it.
using OnLink = std::function<void(std::shared_ptr<Link> link)>;

class Listener {
public:
	virtual ~Listener() = default;
	virtual hps::Result<void, std::string> listen(const ListenAddress& address) = 0;
	virtual std::uint16_t port() const noexcept = 0;
	virtual void stop() = 0;
};

class Dialer {
public:
	virtual ~Dialer() = default;
	virtual void start() = 0;
	virtual void stop() = 0;
};

struct TransportMaker {
	std::string name; // "tcp", "rdma": for log lines and errors
	// Whether this node can use the transport at all (e.g. has an RDMA
	// device); checked before listening.  Empty: always.
	std::function<hps::Result<void, std::string>()> usable;
	std::function<std::unique_ptr<Listener>(boost::asio::io_context& io,
						 const LinkSettings& settings, OnLink on_link)>
		listener;
	std::function<std::unique_ptr<Dialer>(boost::asio::io_context& io, const LinkSettings& settings,
					       const std::string& peer_node,
					       const ListenAddress& address, OnLink on_link)>
		dialer;
};

// The real transport for `transport`, with the default options.
TransportMaker transport_maker(Transport transport);

} // namespace hpsd::replication
