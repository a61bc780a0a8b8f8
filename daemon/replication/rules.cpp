// SPDX-License-Identifier: GPL-2.0-only
#include "replication/rules.hpp"

#include <cstdio>

namespace hpsd::replication {
namespace {

std::string hex8(unsigned v)
{
	char buf[8];
	std::snprintf(buf, sizeof(buf), "0x%02x", v & 0xff);
	return buf;
}

hps::Result<void, std::string> check_use(MessageType type, const char* field, Use use,
					 std::uint64_t value)
{
	if (use == Use::zero && value != 0)
		return hps::fail(std::string(field) + " " + std::to_string(value) + " in " +
				 std::string(to_string(type)) + ", expected 0");
	if (use == Use::nonzero && value == 0)
		return hps::fail(std::string(field) + " 0 in " + std::string(to_string(type)));
	return {};
}

} // namespace

TypeRules rules(MessageType type) noexcept
{
	switch (type) {
	case MessageType::write:
		return {Use::nonzero, Use::nonzero, flag::fua | flag::resync};
	case MessageType::discard:
		return {Use::nonzero, Use::nonzero, flag::resync};
	case MessageType::write_ack:
	case MessageType::resync_begin:
		return {Use::nonzero, Use::nonzero, 0};
	case MessageType::flush:
	case MessageType::flush_ack:
	case MessageType::resync_end:
		return {Use::nonzero, Use::any, 0};
	case MessageType::clean:
	case MessageType::clean_ack:
	case MessageType::attach:
		return {Use::nonzero, Use::zero, 0};
	case MessageType::attach_ack:
		return {Use::nonzero, Use::zero, flag::kept};
	case MessageType::hello:
	case MessageType::challenge:
	case MessageType::response:
	case MessageType::ping:
	case MessageType::pong:
	case MessageType::goodbye:
	case MessageType::error:
		break;
	}
	return {Use::zero, Use::zero, 0};
}

LengthRange payload_range(MessageType type, const Limits& limits) noexcept
{
	switch (type) {
	case MessageType::hello:
		return {hello_fixed + 1, hello_fixed + max_node_id_chars};
	case MessageType::challenge:
		return {challenge_fixed + 1, challenge_fixed + max_node_id_chars};
	case MessageType::response:
		return {mac_bytes, mac_bytes};
	case MessageType::write:
		return {write_fixed + sector_bytes, write_fixed + limits.max_write_bytes};
	case MessageType::write_ack:
	case MessageType::flush_ack:
		return {4, 4};
	case MessageType::discard:
		return {16, 16};
	case MessageType::flush:
	case MessageType::goodbye:
		return {0, 0};
	case MessageType::clean:
		return {clean_fixed + clean_entry_bytes,
			clean_fixed + clean_entry_bytes * std::size_t{limits.max_clean_entries}};
	case MessageType::clean_ack:
		return {12, 12};
	case MessageType::resync_begin:
	case MessageType::ping:
	case MessageType::pong:
		return {8, 8};
	case MessageType::resync_end:
		return {12, 12};
	case MessageType::attach:
		return {attach_fixed + 2, attach_fixed + 2 * max_volume_name_chars};
	case MessageType::attach_ack:
		return {4, 4};
	case MessageType::error:
		return {error_fixed, error_fixed + max_error_text_chars};
	}
	return {0, 0};
}

hps::Result<void, std::string> check_header_fields(MessageType type, std::uint8_t flags,
						   std::uint32_t volume, std::uint64_t seq)
{
	const TypeRules r = rules(type);
	if (flags & ~r.flags)
		return hps::fail("flags " + hex8(flags) + " not allowed in " +
				 std::string(to_string(type)));
	if (auto ok = check_use(type, "volume", r.volume, volume); !ok)
		return ok;
	return check_use(type, "seq", r.seq, seq);
}

} // namespace hpsd::replication
