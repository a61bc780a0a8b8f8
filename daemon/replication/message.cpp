// SPDX-License-Identifier: GPL-2.0-only
#include "replication/message.hpp"

#include "util/overload.hpp"

#include <type_traits>

namespace hpsd::replication {
namespace {

std::string vol_seq(std::uint32_t volume, const char* seq_name, std::uint64_t seq)
{
	return " vol " + std::to_string(volume) + " " + seq_name + " " + std::to_string(seq);
}

std::string status(std::uint32_t s)
{
	return s == 0 ? " ok" : " status " + std::to_string(s);
}

} // namespace

std::string to_string(ErrorCode code)
{
	switch (code) {
	case ErrorCode::protocol:
		return "protocol";
	case ErrorCode::version:
		return "version";
	case ErrorCode::cluster:
		return "cluster";
	case ErrorCode::auth:
		return "auth";
	case ErrorCode::node:
		return "node";
	case ErrorCode::internal:
		return "internal";
	}
	return "code " + std::to_string(static_cast<unsigned>(code));
}

MessageType type_of(const Message& message) noexcept
{
	// The variant's alternatives are in the order of this table.
	constexpr MessageType by_index[] = {
		MessageType::hello,	   MessageType::challenge,    MessageType::response,
		MessageType::write,	   MessageType::write_ack,    MessageType::discard,
		MessageType::flush,	   MessageType::flush_ack,    MessageType::clean,
		MessageType::clean_ack,	   MessageType::resync_begin, MessageType::resync_end,
		MessageType::ping,	   MessageType::pong,	      MessageType::goodbye,
		MessageType::error,	   MessageType::attach,	      MessageType::attach_ack,
	};
	static_assert(std::size(by_index) == std::variant_size_v<Message>);
	return by_index[message.index()];
}

std::string describe(const Message& message)
{
	std::string s(to_string(type_of(message)));
	s += std::visit(
		hps::Overload{
			[](const Hello& m) {
				return " node " + m.node + " versions " + std::to_string(m.min_version) +
				       ".." + std::to_string(m.max_version);
			},
			[](const Challenge& m) {
				return " node " + m.node + " version " + std::to_string(m.version);
			},
			[](const Response&) { return std::string(); },
			[](const Write& m) {
				return vol_seq(m.volume, "seq", m.seq) + " off " + std::to_string(m.offset) +
				       " len " + std::to_string(m.data.size()) + (m.fua ? " fua" : "") +
				       (m.resync ? " resync" : "");
			},
			[](const WriteAck& m) { return vol_seq(m.volume, "seq", m.seq) + status(m.status); },
			[](const Discard& m) {
				return vol_seq(m.volume, "seq", m.seq) + " off " + std::to_string(m.offset) +
				       " len " + std::to_string(m.length) + (m.resync ? " resync" : "");
			},
			[](const Flush& m) { return vol_seq(m.volume, "up_to", m.up_to); },
			[](const FlushAck& m) { return vol_seq(m.volume, "up_to", m.up_to) + status(m.status); },
			[](const Clean& m) {
				return vol_seq(m.volume, "batch", m.batch) + " entries " +
				       std::to_string(m.entries.size());
			},
			[](const CleanAck& m) { return vol_seq(m.volume, "batch", m.batch) + status(m.status); },
			[](const ResyncBegin& m) {
				return vol_seq(m.volume, "first_seq", m.first_seq) + " bytes " +
				       std::to_string(m.bytes_planned);
			},
			[](const ResyncEnd& m) {
				return vol_seq(m.volume, "last_seq", m.last_seq) + status(m.status) + " bytes " +
				       std::to_string(m.bytes_sent);
			},
			[](const Ping& m) { return " token " + std::to_string(m.token); },
			[](const Pong& m) { return " token " + std::to_string(m.token); },
			[](const Goodbye&) { return std::string(); },
			[](const Error& m) { return " " + to_string(m.code) + ": " + m.text; },
			[](const Attach& m) {
				return vol_seq(m.volume, "size", m.size_bytes) + " name " + m.name +
				       " image " + m.image + " block " + std::to_string(m.block_bytes);
			},
			[](const AttachAck& m) {
				return " vol " + std::to_string(m.volume) + status(m.status) +
				       (m.kept ? " kept" : "");
			},
		},
		message);
	return s;
}

} // namespace hpsd::replication
