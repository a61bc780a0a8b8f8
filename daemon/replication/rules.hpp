// SPDX-License-Identifier: GPL-2.0-only
// Per message type: which header fields it uses, which flags it allows and
// how long its payload may be.  One table shared by the encoder, the
// decoder (which applies it to a header before reading any payload, so a
// hostile length is refused before a byte of it is received) and check().
#pragma once

#include "replication/wire.hpp"
#include "util/result.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace hpsd::replication {

// How a message uses the header's volume or seq field.
enum class Use : std::uint8_t {
	zero,	 // not used: must be 0
	nonzero, // used, and 0 is not a valid value
	any,	 // used, 0 included
};

struct TypeRules {
	Use volume = Use::zero;
	Use seq = Use::zero;
	std::uint8_t flags = 0; // the flags the type allows
};

TypeRules rules(MessageType type) noexcept;

// The payload length range of `type` under `limits`.
struct LengthRange {
	std::size_t min = 0;
	std::size_t max = 0;
};
LengthRange payload_range(MessageType type, const Limits& limits) noexcept;

// Fixed payload parts, in bytes (PROTOCOL.md has the layouts).
inline constexpr std::size_t hello_fixed = 2 + 2 + 4 + cluster_id_bytes + nonce_bytes + 1;
inline constexpr std::size_t challenge_fixed = 2 + 4 + cluster_id_bytes + nonce_bytes + 1;
inline constexpr std::size_t write_fixed = 8 + 4;
inline constexpr std::size_t clean_fixed = 8 + 4;
inline constexpr std::size_t clean_entry_bytes = 8 + 4 + 8;
inline constexpr std::size_t error_fixed = 2 + 2;
// size_bytes, block_bytes and the two name lengths (the names follow).
inline constexpr std::size_t attach_fixed = 8 + 4 + 1 + 1;

// The header fields of a `type` message against its rules:
// "flags 0x04 not allowed in WRITE", "volume 0 in WRITE", "seq 9 in PING,
// expected 0".
hps::Result<void, std::string> check_header_fields(MessageType type, std::uint8_t flags,
						   std::uint32_t volume, std::uint64_t seq);

} // namespace hpsd::replication
