// SPDX-License-Identifier: GPL-2.0-only
// The replication protocol's frames: encoding and decoding, pure functions
// shared by the TCP and RDMA transports.  The format is in
// daemon/PROTOCOL.md ("Replication protocol").
//
// Decoding is total: any byte string gives a message or one line naming
// the field and value that is wrong, never undefined behaviour, and it
// allocates nothing beyond what `limits` bound (a CLEAN's entries, a node
// id, an error text).  Whatever the error, the caller logs it and closes
// the connection: a peer that sends a bad frame is broken or hostile, and
// the stream cannot be trusted after it.
//
// A stream transport reads header_bytes, decode_header()s them (which
// bounds the payload length by type before a byte of it is read), reads
// header.length more bytes, then decode_payload()s.  A transport that
// receives whole frames (RDMA SEND) calls decode().
#pragma once

#include "replication/message.hpp"
#include "replication/wire.hpp"
#include "util/result.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hpsd::replication {

struct Header {
	std::uint16_t version = 0;
	MessageType type = MessageType::ping;
	std::uint8_t flags = 0;
	std::uint32_t length = 0; // payload bytes after the header
	std::uint32_t volume = 0;
	std::uint64_t seq = 0;
	std::uint32_t payload_crc = 0;
};

// The header in the first header_bytes of `bytes` (more may follow):
// magic, version within limits, header crc, known type, flags, volume and
// seq as the type uses them, payload length within the type's range.
hps::Result<Header, std::string> decode_header(std::span<const std::byte> bytes,
					       const Limits& limits);

// The message a header and its payload (exactly header.length bytes) carry.
// A Write's data is a view into `payload`.
hps::Result<Message, std::string> decode_payload(const Header& header,
						 std::span<const std::byte> payload,
						 const Limits& limits);

// Exactly one frame, header and payload, nothing more.
hps::Result<Message, std::string> decode(std::span<const std::byte> frame, const Limits& limits);

// A frame: `head` is the header and every payload field; `data` (a WRITE's
// data, empty for other types) follows it on the wire.  A transport sends
// the two with one writev or two SGEs, so the data is never copied.  Both
// CRCs already cover the data.
struct EncodedFrame {
	std::vector<std::byte> head;
	std::span<const std::byte> data; // a view into the message
};

// `message` must pass check() (asserted in debug builds): an invalid
// message is a bug in the caller, which the peer would refuse anyway.
EncodedFrame encode_split(const Message& message, std::uint16_t version = newest_version);

// The whole frame in one buffer (copies a WRITE's data).
std::vector<std::byte> encode(const Message& message, std::uint16_t version = newest_version);

} // namespace hpsd::replication
