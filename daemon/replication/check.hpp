// SPDX-License-Identifier: GPL-2.0-only
// The values a message's fields may take (PROTOCOL.md), checked the same
// way for what is decoded and what is about to be encoded.
#pragma once

#include "replication/message.hpp"
#include "replication/wire.hpp"
#include "util/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace hpsd::replication {

// The header fields a message fills in.
struct HeaderFields {
	std::uint8_t flags = 0;
	std::uint32_t volume = 0;
	std::uint64_t seq = 0;
};

HeaderFields header_fields(const Message& message) noexcept;

// OK, or one line naming the message, field and value:
// "WRITE offset 513 is not a multiple of 512".
hps::Result<void, std::string> check(const Message& message, const Limits& limits);

// A node id: 1..max_node_id_chars of A-Za-z0-9._- (config's node_name rule).
bool is_node_id(std::string_view id) noexcept;

} // namespace hpsd::replication
