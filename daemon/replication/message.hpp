// SPDX-License-Identifier: GPL-2.0-only
// The replication protocol's messages, decoded: one struct per message
// type, fields as PROTOCOL.md ("Replication protocol") lists them.  The
// header's volume and seq are members of the messages that use them.
#pragma once

#include "replication/wire.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace hpsd::replication {

using ClusterId = std::array<std::uint8_t, cluster_id_bytes>;
using Nonce = std::array<std::uint8_t, nonce_bytes>;
using Mac = std::array<std::uint8_t, mac_bytes>;

// Handshake (handshake.hpp drives it).
struct Hello {
	std::uint16_t min_version = oldest_version;
	std::uint16_t max_version = newest_version;
	std::uint32_t max_write_bytes = 0; // the largest WRITE data the sender accepts
	ClusterId cluster{};
	Nonce nonce{};
	std::string node; // the sender's node id (its node_name)
};

struct Challenge {
	std::uint16_t version = 0; // chosen by the acceptor from both ranges
	std::uint32_t max_write_bytes = 0;
	ClusterId cluster{};
	Nonce nonce{};
	std::string node;
};

struct Response {
	Mac mac{}; // HMAC-SHA256 over the handshake transcript, see handshake.hpp
};

// Data.  A WRITE's data is a view into the buffer it was decoded from (or
// that the encoder reads from): no copy either way.
struct Write {
	std::uint32_t volume = 0;
	std::uint64_t seq = 0;
	std::uint64_t offset = 0; // bytes into the volume
	bool fua = false;
	bool resync = false;
	std::span<const std::byte> data;
};

// Answers WRITE and DISCARD.
struct WriteAck {
	std::uint32_t volume = 0;
	std::uint64_t seq = 0;
	std::uint32_t status = 0; // 0 or a Linux errno
};

struct Discard {
	std::uint32_t volume = 0;
	std::uint64_t seq = 0;
	std::uint64_t offset = 0;
	std::uint64_t length = 0;
	bool resync = false;
};

struct Flush {
	std::uint32_t volume = 0;
	std::uint64_t up_to = 0; // every seq <= up_to; 0: nothing written yet
};

struct FlushAck {
	std::uint32_t volume = 0;
	std::uint64_t up_to = 0;
	std::uint32_t status = 0;
};

// A range writeback wrote to Ceph, with the seq of the newest write whose
// data it carried.
struct CleanEntry {
	std::uint64_t offset = 0;
	std::uint32_t length = 0;
	std::uint64_t seq = 0;

	bool operator==(const CleanEntry&) const = default;
};

struct Clean {
	std::uint32_t volume = 0;
	std::uint64_t batch = 0; // chosen by the sender, echoed in CLEAN_ACK
	std::vector<CleanEntry> entries;
};

struct CleanAck {
	std::uint32_t volume = 0;
	std::uint64_t batch = 0;
	std::uint32_t status = 0;
};

struct ResyncBegin {
	std::uint32_t volume = 0;
	std::uint64_t first_seq = 0;	 // the next seq the primary assigns
	std::uint64_t bytes_planned = 0; // for progress; 0: nothing to resync
};

struct ResyncEnd {
	std::uint32_t volume = 0;
	std::uint64_t last_seq = 0;   // the resync's data is every seq <= last_seq
	std::uint32_t status = 0;     // 0: complete; else why it stopped
	std::uint64_t bytes_sent = 0;
};

// The primary names a volume it replicates to this peer (on every new
// link, before RESYNC_BEGIN): the secondary brings up its copy (creating
// it the first time) and maps the primary's volume id, which the header
// carries and every later message of the volume uses, to its own.
struct Attach {
	std::uint32_t volume = 0; // the primary's volume id
	std::uint64_t size_bytes = 0;
	std::uint32_t block_bytes = 0; // the primary's cache block size
	std::string name;	       // the volume's name, the same on both nodes
	std::string image;	       // its RBD image in the cluster's pool
};

struct AttachAck {
	std::uint32_t volume = 0;
	std::uint32_t status = 0; // 0: ready for RESYNC_BEGIN; else a Linux errno
	bool kept = false;	  // flag::kept; only with status 0
};

struct Ping {
	std::uint64_t token = 0;
};

struct Pong {
	std::uint64_t token = 0; // the PING's
};

struct Goodbye {};

// ERROR codes.  Decoding accepts any value (a newer peer may send a code
// this build does not know); to_string() names the known ones.
enum class ErrorCode : std::uint16_t {
	protocol = 1, // malformed frame or message out of order
	version = 2,  // no protocol version in common
	cluster = 3,  // another cluster id
	auth = 4,     // the challenge-response failed
	node = 5,     // not the node expected (or itself)
	internal = 6, // the sender failed (e.g. no random bytes)
};

std::string to_string(ErrorCode code);

struct Error {
	ErrorCode code = ErrorCode::protocol;
	std::string text; // printable ASCII, at most max_error_text_chars
};

using Message = std::variant<Hello, Challenge, Response, Write, WriteAck, Discard, Flush, FlushAck,
			     Clean, CleanAck, ResyncBegin, ResyncEnd, Ping, Pong, Goodbye, Error,
			     Attach, AttachAck>;

MessageType type_of(const Message& message) noexcept;

// "WRITE vol 3 seq 17 off 4096 len 8192 fua", for logs.  Never the data,
// nonces or MACs.
std::string describe(const Message& message);

} // namespace hpsd::replication
