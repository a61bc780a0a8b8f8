// SPDX-License-Identifier: GPL-2.0-only
#include "replication/byte_io.hpp"
#include "replication/check.hpp"
#include "replication/codec.hpp"
#include "replication/crc32c.hpp"
#include "replication/rules.hpp"

#include <cstdio>

namespace hpsd::replication {
namespace {

using Decoded = hps::Result<Message, std::string>;

std::string hex32(std::uint32_t v)
{
	char buf[16];
	std::snprintf(buf, sizeof(buf), "0x%08x", v);
	return buf;
}

std::string n(std::uint64_t v)
{
	return std::to_string(v);
}

std::string name(MessageType type)
{
	return std::string(to_string(type));
}

// A length-prefixed field must be exactly what is left of the payload:
// nothing may follow it, so a frame has one reading only.
hps::Result<void, std::string> rest_is(MessageType type, const char* field, std::uint64_t length,
				       const ByteReader& r)
{
	if (length != r.remaining())
		return hps::fail(name(type) + " " + field + " length " + n(length) + ", payload has " +
				 n(r.remaining()) + " bytes left");
	return {};
}

// HELLO's and CHALLENGE's last field: the sender's node id, u8-length
// prefixed, the rest of the payload.
hps::Result<std::string, std::string> node_id(MessageType type, ByteReader& r)
{
	const std::uint8_t len = r.u8();
	if (auto ok = rest_is(type, "node id", len, r); !ok)
		return hps::fail(std::move(ok).error());
	const auto node = r.view(len);
	return std::string(reinterpret_cast<const char*>(node.data()), node.size());
}

// Parses the payload of one type.  Lengths are checked before anything is
// read or allocated; field values are check()'s business.
Decoded parse(const Header& h, ByteReader& r, const Limits& limits)
{
	switch (h.type) {
	case MessageType::hello: {
		Hello m;
		m.min_version = r.u16();
		m.max_version = r.u16();
		m.max_write_bytes = r.u32();
		r.bytes(m.cluster);
		r.bytes(m.nonce);
		auto node = node_id(h.type, r);
		if (!node)
			return hps::fail(std::move(node).error());
		m.node = std::move(node).value();
		return Message{std::move(m)};
	}
	case MessageType::challenge: {
		Challenge m;
		m.version = r.u16();
		m.max_write_bytes = r.u32();
		r.bytes(m.cluster);
		r.bytes(m.nonce);
		auto node = node_id(h.type, r);
		if (!node)
			return hps::fail(std::move(node).error());
		m.node = std::move(node).value();
		return Message{std::move(m)};
	}
	case MessageType::response: {
		Response m;
		r.bytes(m.mac);
		return Message{m};
	}
	case MessageType::write: {
		Write m{h.volume, h.seq, r.u64(), (h.flags & flag::fua) != 0,
			(h.flags & flag::resync) != 0, {}};
		const std::uint32_t len = r.u32();
		if (auto ok = rest_is(h.type, "data", len, r); !ok)
			return hps::fail(std::move(ok).error());
		m.data = r.view(len);
		return Message{m};
	}
	case MessageType::write_ack:
		return Message{WriteAck{h.volume, h.seq, r.u32()}};
	case MessageType::discard: {
		Discard m{h.volume, h.seq, 0, 0, (h.flags & flag::resync) != 0};
		m.offset = r.u64();
		m.length = r.u64();
		return Message{m};
	}
	case MessageType::flush:
		return Message{Flush{h.volume, h.seq}};
	case MessageType::flush_ack:
		return Message{FlushAck{h.volume, h.seq, r.u32()}};
	case MessageType::clean: {
		Clean m;
		m.volume = h.volume;
		m.batch = r.u64();
		const std::uint32_t count = r.u32();
		// Before the allocation, whatever the payload's length says.
		if (count == 0 || count > limits.max_clean_entries)
			return hps::fail("CLEAN count " + n(count) + " not in 1.." +
					 n(limits.max_clean_entries));
		if (auto ok = rest_is(h.type, "entries", std::uint64_t{count} * clean_entry_bytes, r);
		    !ok)
			return hps::fail("CLEAN count " + n(count) + " needs " +
					 n(std::uint64_t{count} * clean_entry_bytes) +
					 " bytes of entries, payload has " + n(r.remaining()));
		m.entries.resize(count);
		for (CleanEntry& e : m.entries) {
			e.offset = r.u64();
			e.length = r.u32();
			e.seq = r.u64();
		}
		return Message{std::move(m)};
	}
	case MessageType::clean_ack: {
		CleanAck m{h.volume, 0, 0};
		m.batch = r.u64();
		m.status = r.u32();
		return Message{m};
	}
	case MessageType::resync_begin:
		return Message{ResyncBegin{h.volume, h.seq, r.u64()}};
	case MessageType::resync_end: {
		ResyncEnd m{h.volume, h.seq, 0, 0};
		m.status = r.u32();
		m.bytes_sent = r.u64();
		return Message{m};
	}
	case MessageType::attach: {
		Attach m;
		m.volume = h.volume;
		m.size_bytes = r.u64();
		m.block_bytes = r.u32();
		const std::uint8_t name_len = r.u8();
		const std::uint8_t image_len = r.u8();
		if (auto ok = rest_is(h.type, "names", std::uint64_t{name_len} + image_len, r); !ok)
			return hps::fail(std::move(ok).error());
		const auto name = r.view(name_len);
		m.name.assign(reinterpret_cast<const char*>(name.data()), name.size());
		const auto image = r.view(image_len);
		m.image.assign(reinterpret_cast<const char*>(image.data()), image.size());
		return Message{std::move(m)};
	}
	case MessageType::attach_ack:
		return Message{AttachAck{h.volume, r.u32(), (h.flags & flag::kept) != 0}};
	case MessageType::ping:
		return Message{Ping{r.u64()}};
	case MessageType::pong:
		return Message{Pong{r.u64()}};
	case MessageType::goodbye:
		return Message{Goodbye{}};
	case MessageType::error: {
		Error m;
		m.code = static_cast<ErrorCode>(r.u16());
		const std::uint16_t len = r.u16();
		if (auto ok = rest_is(h.type, "text", len, r); !ok)
			return hps::fail(std::move(ok).error());
		const auto text = r.view(len);
		m.text.assign(reinterpret_cast<const char*>(text.data()), text.size());
		return Message{std::move(m)};
	}
	}
	return hps::fail("type " + n(static_cast<unsigned>(h.type)) + " unknown");
}

} // namespace

hps::Result<Header, std::string> decode_header(std::span<const std::byte> bytes,
					       const Limits& limits)
{
	if (bytes.size() < header_bytes)
		return hps::fail("frame of " + n(bytes.size()) + " bytes ends inside the " +
				 n(header_bytes) + "-byte header");
	ByteReader r(bytes.first(header_bytes));
	const std::uint32_t magic = r.u32();
	if (magic != frame_magic)
		return hps::fail("magic " + hex32(magic) + ", expected " + hex32(frame_magic) +
				 " (\"HPSR\")");
	// The version before the CRC: another version's header may keep its
	// CRC elsewhere, and "version 2 not in 1..1" is the useful message.
	Header h;
	h.version = r.u16();
	if (h.version < limits.min_version || h.version > limits.max_version)
		return hps::fail("version " + n(h.version) + " not in " + n(limits.min_version) +
				 ".." + n(limits.max_version));
	const std::uint8_t type = r.u8();
	h.flags = r.u8();
	h.length = r.u32();
	h.volume = r.u32();
	h.seq = r.u64();
	h.payload_crc = r.u32();
	const std::uint32_t header_crc = r.u32();
	const std::uint32_t computed = crc32c(bytes.first(header_bytes - 4));
	if (header_crc != computed)
		return hps::fail("header crc " + hex32(header_crc) + ", computed " + hex32(computed));

	const auto known = message_type(type);
	if (!known)
		return hps::fail("type " + n(type) + " unknown");
	h.type = *known;
	if (auto ok = check_header_fields(h.type, h.flags, h.volume, h.seq); !ok)
		return hps::fail(std::move(ok).error());
	const LengthRange range = payload_range(h.type, limits);
	if (h.length < range.min || h.length > range.max)
		return hps::fail(name(h.type) + " payload length " + n(h.length) + " not in " +
				 n(range.min) + ".." + n(range.max));
	return h;
}

hps::Result<Message, std::string> decode_payload(const Header& header,
						 std::span<const std::byte> payload,
						 const Limits& limits)
{
	if (payload.size() != header.length)
		return hps::fail(name(header.type) + " payload of " + n(payload.size()) +
				 " bytes, the header says " + n(header.length));
	const std::uint32_t computed = crc32c(payload);
	if (header.payload_crc != computed)
		return hps::fail(name(header.type) + " payload crc " + hex32(header.payload_crc) +
				 ", computed " + hex32(computed));

	ByteReader r(payload);
	auto message = parse(header, r, limits);
	if (!message)
		return message;
	// Safety nets: the length checks above make both impossible.
	if (r.overrun())
		return hps::fail(name(header.type) + " payload ends inside a field");
	if (r.remaining() != 0)
		return hps::fail(name(header.type) + " has " + n(r.remaining()) +
				 " bytes after its fields");
	if (auto ok = check(*message, limits); !ok)
		return hps::fail(std::move(ok).error());
	return message;
}

hps::Result<Message, std::string> decode(std::span<const std::byte> frame, const Limits& limits)
{
	auto header = decode_header(frame, limits);
	if (!header)
		return hps::fail(std::move(header).error());
	const std::size_t payload = frame.size() - header_bytes;
	if (payload < header->length)
		return hps::fail(name(header->type) + " frame of " + n(frame.size()) +
				 " bytes ends inside its " + n(header->length) + "-byte payload");
	if (payload > header->length)
		return hps::fail(name(header->type) + " frame has " + n(payload - header->length) +
				 " bytes after its payload");
	return decode_payload(*header, frame.subspan(header_bytes), limits);
}

} // namespace hpsd::replication
