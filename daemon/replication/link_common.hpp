// SPDX-License-Identifier: GPL-2.0-only
// What every transport's link does the same way, whatever carries its
// frames: setting up the handshake from the link settings, deciding what
// send() refuses, and the text of an ERROR and of a log line.  Used by
// FramedLink and by the transports' own parts of TcpLink and RdmaLink.
#pragma once

#include "replication/handshake.hpp"
#include "replication/link.hpp"
#include "replication/link_settings.hpp"
#include "replication/message.hpp"
#include "replication/wire.hpp"
#include "util/result.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hpsd::replication {

// Before authentication a peer may send only handshake frames (the
// largest, an ERROR, has 204 payload bytes): an unauthenticated stranger
// gets no bigger buffer than this.
inline constexpr std::size_t handshake_frame_bytes = header_bytes + 256;

// How long a closing link waits for its GOODBYE or ERROR to go out.
inline constexpr std::chrono::milliseconds close_linger{500};

// The handshake of a new connection: this node as `settings` say, the
// peer it dialled (`expected_peer`, initiator) or any (acceptor).
hps::Result<Handshake, std::string> make_handshake(Handshake::Role role,
						   std::optional<std::string> expected_peer,
						   const LinkSettings& settings);

// Whether `message` may be sent to `peer` on an authenticated link: not a
// handshake message, and valid within what the peer accepts (its version,
// its largest WRITE).
hps::Result<void, SendError> check_send(const Message& message, const Peer& peer);

bool is_handshake_message(const Message& message) noexcept;

// An ERROR's text: printable ASCII, not too long, whatever the reason says.
std::string error_text(std::string_view reason);

// "400 ms".
std::string ms(std::chrono::milliseconds d);

} // namespace hpsd::replication
