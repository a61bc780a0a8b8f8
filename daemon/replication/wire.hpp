// SPDX-License-Identifier: GPL-2.0-only
// The replication wire protocol's constants: framing, message types, flags
// and the limits a receiver enforces.  daemon/PROTOCOL.md ("Replication
// protocol") is the reference; keep the two in step.
//
// Pure definitions shared by the codec, the handshake and (later) the TCP
// and RDMA transports, which carry the same frames.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hpsd::replication {

// "HPSR" in the first four bytes of every frame (little-endian u32).
inline constexpr std::uint32_t frame_magic = 0x52535048;

// Every frame starts with this fixed header (layout in PROTOCOL.md).
inline constexpr std::size_t header_bytes = 32;

// The protocol versions this build speaks.  A version is the layout of
// every frame's payload; the header's first eight bytes (magic, version)
// never move, so a peer can always tell which version a frame is in.
inline constexpr std::uint16_t oldest_version = 1;
inline constexpr std::uint16_t newest_version = 1;

enum class MessageType : std::uint8_t {
	hello = 1,
	challenge = 2,
	response = 3,
	write = 16,
	write_ack = 17,
	discard = 18,
	flush = 19,
	flush_ack = 20,
	clean = 21,
	clean_ack = 22,
	resync_begin = 23,
	resync_end = 24,
	attach = 25,
	attach_ack = 26,
	ping = 32,
	pong = 33,
	goodbye = 34,
	error = 35,
};

// "WRITE", "FLUSH_ACK", ... (as PROTOCOL.md names them).
std::string_view to_string(MessageType type) noexcept;

// The type with that wire value, if there is one.
std::optional<MessageType> message_type(std::uint8_t value) noexcept;

// Header flags.  Each type allows only some (PROTOCOL.md); any other bit
// set is a malformed frame, so a future flag cannot be silently ignored.
namespace flag {
inline constexpr std::uint8_t fua = 0x01;    // WRITE: durable on the peer before it is acked
inline constexpr std::uint8_t resync = 0x02; // WRITE, DISCARD: resync data, not an application write
// ATTACH_ACK: the copy was kept: in sync when its last link to this primary
// ended, committed since, and this hpsd has run throughout (PROTOCOL.md)
inline constexpr std::uint8_t kept = 0x04;
} // namespace flag

inline constexpr std::size_t nonce_bytes = 32;
inline constexpr std::size_t mac_bytes = 32; // HMAC-SHA256
inline constexpr std::size_t cluster_id_bytes = 16;
// As config's max_node_name_chars: a node id is a node_name.
inline constexpr std::size_t max_node_id_chars = 63;
inline constexpr std::size_t max_error_text_chars = 200;
// ATTACH's volume and image names (a volume name, naming.hpp; printable
// ASCII without spaces).
inline constexpr std::size_t max_volume_name_chars = 63;

// Offsets and lengths of WRITE, DISCARD and CLEAN entries are whole
// sectors: the volumes are block devices.
inline constexpr std::uint32_t sector_bytes = 512;

// Status fields carry 0 or a positive Linux errno (both ends run Linux).
inline constexpr std::uint32_t max_status = 4095;

// What a receiver accepts.  The largest allocation decoding makes is
// max_clean_entries CleanEntry structs; a WRITE's data is never copied
// (it is a view into the caller's buffer of at most max_frame_bytes()).
struct Limits {
	std::uint16_t min_version = oldest_version;
	std::uint16_t max_version = newest_version;
	std::uint32_t max_write_bytes = 1U << 20; // WRITE data; also announced in HELLO/CHALLENGE
	std::uint32_t max_clean_entries = 4096;	  // HPS_WB_MAX: one WB_DONE's worth
};

// Bounds on the limits themselves (a HELLO announcing another
// max_write_bytes is malformed).
inline constexpr std::uint32_t min_write_limit = 4096;
inline constexpr std::uint32_t max_write_limit = 16U << 20;
inline constexpr std::uint32_t max_clean_limit = 65536;

// The largest frame (header + payload) `limits` admit: the receive buffer a
// transport needs.
std::size_t max_frame_bytes(const Limits& limits) noexcept;

} // namespace hpsd::replication
