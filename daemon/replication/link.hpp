// SPDX-License-Identifier: GPL-2.0-only
// A peer link: one connected, authenticated connection to another hpsd,
// whatever carries it (TCP today, RDMA later).  The replication logic above
// it sends Messages and gets Messages; framing, the handshake, keepalive
// and flow control are the transport's (PROTOCOL.md, "Replication
// protocol").
//
// A transport hands out a Link only once the handshake has succeeded, so
// peer() is known and every frame after it is data.  Nothing is delivered
// before start(): the owner sets its handlers first.
//
// Threading: a link lives on one event loop (hpsd's io_context) and every
// call, and every callback, happens on that loop's thread.
#pragma once

#include "replication/handshake.hpp"
#include "replication/message.hpp"
#include "util/result.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace hpsd::replication {

// Why send() refused a message.  On any refusal nothing was queued and the
// caller still owns the message's data.
struct SendError {
	enum class Kind : std::uint8_t {
		queue_full, // backpressure: try again after on_writable
		closed,	    // the link is closing or closed; nothing more will be sent
		invalid,    // the message breaks the protocol (a bug in the caller), see `what`
	};
	Kind kind = Kind::closed;
	std::string what; // for `invalid`: the field and value, as check() says it
};

std::string_view to_string(SendError::Kind kind) noexcept;

// Called once the link no longer reads a sent message's data: its bytes
// went to the transport, or the link closed without sending them.  Never
// from within send() itself.
using Release = std::function<void()>;

struct LinkHandlers {
	// A data message from the peer (WRITE .. RESYNC_END).  A Write's data
	// views the link's receive buffer and is valid only during the call.
	// PING, PONG, GOODBYE and ERROR are the link's own business.
	std::function<void(const Message& message)> on_message;
	// send() refused with queue_full earlier, and the queue has room again.
	std::function<void()> on_writable;
	// The link ended without close() being called: the peer closed or said
	// GOODBYE or ERROR, went silent past the timeout, stopped reading, sent
	// a frame that does not decode, or I/O failed.  `reason` is one line;
	// the link has logged it already.  Called at most once.
	std::function<void(const std::string& reason)> on_lost;
};

class Link {
public:
	virtual ~Link() = default;

	// The node at the other end, the protocol version both speak and the
	// largest WRITE data it accepts (split larger writes to fit).
	virtual const Peer& peer() const noexcept = 0;
	// "stor-2 (10.0.0.2:7790)", for log lines.
	virtual std::string name() const = 0;
	virtual bool is_open() const noexcept = 0;

	// Begins delivering messages (and keepalive).  Call once.
	virtual void start(LinkHandlers handlers) = 0;

	// Queues one frame.  A Write's data is not copied: it must stay valid
	// until `release` is called.  Refused, with nothing queued, when the
	// send queue is full, the link is closed, or the message is not valid
	// for this peer (a WRITE larger than peer().max_write_bytes, a
	// handshake message, ...).
	virtual hps::Result<void, SendError> send(const Message& message, Release release = {}) = 0;

	// Ends the link: frames not begun are dropped (and released), the peer
	// gets a GOODBYE if it can be sent promptly, and the connection closes.
	// on_lost is not called.  Idempotent.
	virtual void close(const std::string& reason) = 0;
};

} // namespace hpsd::replication
