// SPDX-License-Identifier: GPL-2.0-only
#include "replication/wire.hpp"

#include "replication/rules.hpp"

#include <algorithm>
#include <array>

namespace hpsd::replication {
namespace {

constexpr std::array all_types{
	MessageType::hello,	   MessageType::challenge,  MessageType::response,
	MessageType::write,	   MessageType::write_ack,  MessageType::discard,
	MessageType::flush,	   MessageType::flush_ack,  MessageType::clean,
	MessageType::clean_ack,	   MessageType::resync_begin, MessageType::resync_end,
	MessageType::attach,	   MessageType::attach_ack,
	MessageType::ping,	   MessageType::pong,	    MessageType::goodbye,
	MessageType::error,
};

} // namespace

std::string_view to_string(MessageType type) noexcept
{
	switch (type) {
	case MessageType::hello:
		return "HELLO";
	case MessageType::challenge:
		return "CHALLENGE";
	case MessageType::response:
		return "RESPONSE";
	case MessageType::write:
		return "WRITE";
	case MessageType::write_ack:
		return "WRITE_ACK";
	case MessageType::discard:
		return "DISCARD";
	case MessageType::flush:
		return "FLUSH";
	case MessageType::flush_ack:
		return "FLUSH_ACK";
	case MessageType::clean:
		return "CLEAN";
	case MessageType::clean_ack:
		return "CLEAN_ACK";
	case MessageType::resync_begin:
		return "RESYNC_BEGIN";
	case MessageType::resync_end:
		return "RESYNC_END";
	case MessageType::attach:
		return "ATTACH";
	case MessageType::attach_ack:
		return "ATTACH_ACK";
	case MessageType::ping:
		return "PING";
	case MessageType::pong:
		return "PONG";
	case MessageType::goodbye:
		return "GOODBYE";
	case MessageType::error:
		return "ERROR";
	}
	return "unknown type";
}

std::optional<MessageType> message_type(std::uint8_t value) noexcept
{
	for (MessageType t : all_types)
		if (static_cast<std::uint8_t>(t) == value)
			return t;
	return std::nullopt;
}

std::size_t max_frame_bytes(const Limits& limits) noexcept
{
	std::size_t most = 0;
	for (MessageType t : all_types)
		most = std::max(most, payload_range(t, limits).max);
	return header_bytes + most;
}

} // namespace hpsd::replication
