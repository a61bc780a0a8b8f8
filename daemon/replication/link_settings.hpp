// SPDX-License-Identifier: GPL-2.0-only
// What every peer link of a node needs, whatever the transport: who this
// node is (for the handshake), the cluster secret, the keepalive and
// timeouts, and the bounds of the send queue.
#pragma once

#include "config/config.hpp"
#include "replication/crypto.hpp"
#include "replication/message.hpp"
#include "replication/wire.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace hpsd::replication {

using LogFn = std::function<void(LogLevel, std::string_view)>;

// How much a link queues for sending before send() says queue_full.  The
// replication logic above has its own window (AckTracker: 1024 writes); this
// bound keeps a peer that stops reading from growing hpsd's memory, and
// tells the sender to hold back.
struct SendLimits {
	std::size_t max_frames = 4096;
	std::size_t max_bytes = std::size_t{64} << 20; // a frame alone may be larger
};

struct LinkSettings {
	ClusterId cluster{};
	std::string node;					  // this node's id (node_name)
	std::uint32_t max_write_bytes = Limits{}.max_write_bytes; // the WRITE data it accepts
	// Shared so that a handshake still running when its listener or dialer
	// goes never points at freed memory.
	std::shared_ptr<const ClusterSecret> secret;
	std::shared_ptr<NonceSource> nonces;

	// PING after this long without sending anything; the peer is lost
	// after `peer_timeout` without receiving anything (or without the
	// socket taking any of what is queued).
	std::chrono::milliseconds keepalive{1000};
	std::chrono::milliseconds peer_timeout{5000};
	// From connection to authenticated, for either side.
	std::chrono::milliseconds handshake_timeout{5000};
	SendLimits send_limits;
	LogFn log;
};

// The settings hpsd's config gives: cluster id, node name, keepalive and
// peer timeout (also used for the handshake).  The config must have passed
// parse_config() with replication peers set, so the cluster id is there.
LinkSettings link_settings(const Config& config, std::shared_ptr<const ClusterSecret> secret,
			   LogFn log);

} // namespace hpsd::replication
