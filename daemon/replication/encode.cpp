// SPDX-License-Identifier: GPL-2.0-only
#include "replication/byte_io.hpp"
#include "replication/check.hpp"
#include "replication/codec.hpp"
#include "replication/crc32c.hpp"
#include "util/overload.hpp"

#include <cassert>

namespace hpsd::replication {
namespace {

// The payload's fields, without a WRITE's data.
void put_fields(ByteWriter& w, const Message& message)
{
	std::visit(hps::Overload{
			   [&w](const Hello& m) {
				   w.u16(m.min_version);
				   w.u16(m.max_version);
				   w.u32(m.max_write_bytes);
				   w.bytes(m.cluster);
				   w.bytes(m.nonce);
				   w.u8(static_cast<std::uint8_t>(m.node.size()));
				   w.bytes(std::as_bytes(std::span(m.node)));
			   },
			   [&w](const Challenge& m) {
				   w.u16(m.version);
				   w.u32(m.max_write_bytes);
				   w.bytes(m.cluster);
				   w.bytes(m.nonce);
				   w.u8(static_cast<std::uint8_t>(m.node.size()));
				   w.bytes(std::as_bytes(std::span(m.node)));
			   },
			   [&w](const Response& m) { w.bytes(m.mac); },
			   [&w](const Write& m) {
				   w.u64(m.offset);
				   w.u32(static_cast<std::uint32_t>(m.data.size()));
			   },
			   [&w](const WriteAck& m) { w.u32(m.status); },
			   [&w](const Discard& m) {
				   w.u64(m.offset);
				   w.u64(m.length);
			   },
			   [](const Flush&) {},
			   [&w](const FlushAck& m) { w.u32(m.status); },
			   [&w](const Clean& m) {
				   w.u64(m.batch);
				   w.u32(static_cast<std::uint32_t>(m.entries.size()));
				   for (const CleanEntry& e : m.entries) {
					   w.u64(e.offset);
					   w.u32(e.length);
					   w.u64(e.seq);
				   }
			   },
			   [&w](const CleanAck& m) {
				   w.u64(m.batch);
				   w.u32(m.status);
			   },
			   [&w](const ResyncBegin& m) { w.u64(m.bytes_planned); },
			   [&w](const ResyncEnd& m) {
				   w.u32(m.status);
				   w.u64(m.bytes_sent);
			   },
			   [&w](const Ping& m) { w.u64(m.token); },
			   [&w](const Pong& m) { w.u64(m.token); },
			   [](const Goodbye&) {},
			   [&w](const Error& m) {
				   w.u16(static_cast<std::uint16_t>(m.code));
				   w.u16(static_cast<std::uint16_t>(m.text.size()));
				   w.bytes(std::as_bytes(std::span(m.text)));
			   },
			   [&w](const Attach& m) {
				   w.u64(m.size_bytes);
				   w.u32(m.block_bytes);
				   w.u8(static_cast<std::uint8_t>(m.name.size()));
				   w.u8(static_cast<std::uint8_t>(m.image.size()));
				   w.bytes(std::as_bytes(std::span(m.name)));
				   w.bytes(std::as_bytes(std::span(m.image)));
			   },
			   [&w](const AttachAck& m) { w.u32(m.status); },
		   },
		   message);
}

} // namespace

EncodedFrame encode_split(const Message& message, std::uint16_t version)
{
	// Anything a peer with the widest limits accepts.
	assert(check(message, Limits{version, version, max_write_limit, max_clean_limit}).ok());

	std::vector<std::byte> fields;
	ByteWriter fw(fields);
	put_fields(fw, message);
	std::span<const std::byte> data;
	if (const auto* w = std::get_if<Write>(&message))
		data = w->data;

	const HeaderFields h = header_fields(message);
	EncodedFrame frame;
	frame.head.reserve(header_bytes + fields.size());
	ByteWriter w(frame.head);
	w.u32(frame_magic);
	w.u16(version);
	w.u8(static_cast<std::uint8_t>(type_of(message)));
	w.u8(h.flags);
	w.u32(static_cast<std::uint32_t>(fields.size() + data.size()));
	w.u32(h.volume);
	w.u64(h.seq);
	w.u32(crc32c_extend(crc32c(fields), data));
	w.u32(crc32c(frame.head)); // the 28 bytes so far
	w.bytes(fields);
	frame.data = data;
	return frame;
}

std::vector<std::byte> encode(const Message& message, std::uint16_t version)
{
	EncodedFrame frame = encode_split(message, version);
	frame.head.insert(frame.head.end(), frame.data.begin(), frame.data.end());
	return std::move(frame.head);
}

} // namespace hpsd::replication
