// SPDX-License-Identifier: GPL-2.0-only
#include "replication/check.hpp"

#include "replication/rules.hpp"
#include "util/overload.hpp"

#include <limits>

namespace hpsd::replication {
namespace {

using Check = hps::Result<void, std::string>;

std::string n(std::uint64_t v)
{
	return std::to_string(v);
}

// A byte range of a volume: non-empty, whole sectors, not past 2^64.
Check check_range(const std::string& what, std::uint64_t offset, std::uint64_t length)
{
	if (offset % sector_bytes != 0)
		return hps::fail(what + " offset " + n(offset) + " is not a multiple of " +
				 n(sector_bytes));
	if (length == 0)
		return hps::fail(what + " length 0");
	if (length % sector_bytes != 0)
		return hps::fail(what + " length " + n(length) + " is not a multiple of " +
				 n(sector_bytes));
	if (offset > std::numeric_limits<std::uint64_t>::max() - length)
		return hps::fail(what + " offset " + n(offset) + " + length " + n(length) +
				 " is past 2^64");
	return {};
}

Check check_status(MessageType type, std::uint32_t status)
{
	if (status > max_status)
		return hps::fail(std::string(to_string(type)) + " status " + n(status) + " over " +
				 n(max_status));
	return {};
}

Check check_write_limit(MessageType type, std::uint32_t bytes)
{
	if (bytes < min_write_limit || bytes > max_write_limit || bytes % sector_bytes != 0)
		return hps::fail(std::string(to_string(type)) + " max_write_bytes " + n(bytes) +
				 " not a multiple of " + n(sector_bytes) + " in " +
				 n(min_write_limit) + ".." + n(max_write_limit));
	return {};
}

Check check_node(MessageType type, const std::string& node)
{
	if (!is_node_id(node)) {
		std::string shown;
		for (char c : node.substr(0, max_node_id_chars))
			shown += (c >= 0x20 && c < 0x7f) ? c : '?';
		return hps::fail(std::string(to_string(type)) + " node id \"" + shown + "\" (" +
				 n(node.size()) + " bytes) is not 1.." + n(max_node_id_chars) +
				 " of A-Za-z0-9._-");
	}
	return {};
}

// A volume or image name: 1..max_volume_name_chars of printable ASCII
// without spaces (what hpsd's names allow is narrower; the receiver checks
// that too, with a better message).
Check check_name(const std::string& what, const std::string& name)
{
	if (name.empty() || name.size() > max_volume_name_chars)
		return hps::fail(what + " of " + n(name.size()) + " bytes, not 1.." +
				 n(max_volume_name_chars));
	for (std::size_t i = 0; i < name.size(); i++) {
		const auto c = static_cast<unsigned char>(name[i]);
		if (c <= 0x20 || c > 0x7e)
			return hps::fail(what + " byte " + n(c) + " at " + n(i) +
					 " is not printable ASCII");
	}
	return {};
}

Check check_fields(const Message& message, const Limits& limits)
{
	return std::visit(
		hps::Overload{
			[](const Hello& m) -> Check {
				if (m.min_version == 0 || m.min_version > m.max_version)
					return hps::fail("HELLO versions " + n(m.min_version) + ".." +
							 n(m.max_version) + " are not a range of versions");
				if (auto ok = check_write_limit(MessageType::hello, m.max_write_bytes); !ok)
					return ok;
				return check_node(MessageType::hello, m.node);
			},
			[](const Challenge& m) -> Check {
				if (m.version == 0)
					return hps::fail("CHALLENGE version 0");
				if (auto ok = check_write_limit(MessageType::challenge, m.max_write_bytes);
				    !ok)
					return ok;
				return check_node(MessageType::challenge, m.node);
			},
			[](const Response&) -> Check { return {}; },
			[&limits](const Write& m) -> Check {
				if (m.data.size() > limits.max_write_bytes)
					return hps::fail("WRITE length " + n(m.data.size()) + " over " +
							 n(limits.max_write_bytes));
				return check_range("WRITE", m.offset, m.data.size());
			},
			[](const WriteAck& m) { return check_status(MessageType::write_ack, m.status); },
			[](const Discard& m) { return check_range("DISCARD", m.offset, m.length); },
			[](const Flush&) -> Check { return {}; },
			[](const FlushAck& m) { return check_status(MessageType::flush_ack, m.status); },
			[&limits](const Clean& m) -> Check {
				if (m.entries.empty() || m.entries.size() > limits.max_clean_entries)
					return hps::fail("CLEAN count " + n(m.entries.size()) + " not in 1.." +
							 n(limits.max_clean_entries));
				for (std::size_t i = 0; i < m.entries.size(); i++) {
					const CleanEntry& e = m.entries[i];
					const std::string what = "CLEAN entry " + n(i);
					if (auto ok = check_range(what, e.offset, e.length); !ok)
						return ok;
					if (e.seq == 0)
						return hps::fail(what + " seq 0");
				}
				return {};
			},
			[](const CleanAck& m) { return check_status(MessageType::clean_ack, m.status); },
			[](const ResyncBegin&) -> Check { return {}; },
			[](const Attach& m) -> Check {
				if (m.size_bytes == 0 || m.size_bytes % sector_bytes != 0)
					return hps::fail("ATTACH size " + n(m.size_bytes) +
							 " is not a positive multiple of " + n(sector_bytes));
				if (m.block_bytes < sector_bytes || m.block_bytes > (1U << 20) ||
				    (m.block_bytes & (m.block_bytes - 1)) != 0)
					return hps::fail("ATTACH block " + n(m.block_bytes) +
							 " is not a power of two in " + n(sector_bytes) +
							 ".." + n(1U << 20));
				if (auto ok = check_name("ATTACH name", m.name); !ok)
					return ok;
				return check_name("ATTACH image", m.image);
			},
			[](const AttachAck& m) -> Check {
				if (m.kept && m.status != 0)
					return hps::fail("ATTACH_ACK kept with status " + n(m.status));
				return check_status(MessageType::attach_ack, m.status);
			},
			[](const ResyncEnd& m) { return check_status(MessageType::resync_end, m.status); },
			[](const Ping&) -> Check { return {}; },
			[](const Pong&) -> Check { return {}; },
			[](const Goodbye&) -> Check { return {}; },
			[](const Error& m) -> Check {
				if (m.text.size() > max_error_text_chars)
					return hps::fail("ERROR text of " + n(m.text.size()) +
							 " bytes, at most " + n(max_error_text_chars));
				for (std::size_t i = 0; i < m.text.size(); i++) {
					const auto c = static_cast<unsigned char>(m.text[i]);
					if (c < 0x20 || c > 0x7e)
						return hps::fail("ERROR text byte " + n(c) + " at " + n(i) +
								 " is not printable ASCII");
				}
				return {};
			},
		},
		message);
}

} // namespace

HeaderFields header_fields(const Message& message) noexcept
{
	return std::visit(
		hps::Overload{
			[](const Write& m) {
				return HeaderFields{static_cast<std::uint8_t>((m.fua ? flag::fua : 0) |
									      (m.resync ? flag::resync : 0)),
						    m.volume, m.seq};
			},
			[](const WriteAck& m) { return HeaderFields{0, m.volume, m.seq}; },
			[](const Discard& m) {
				return HeaderFields{m.resync ? flag::resync : std::uint8_t{0}, m.volume, m.seq};
			},
			[](const Flush& m) { return HeaderFields{0, m.volume, m.up_to}; },
			[](const FlushAck& m) { return HeaderFields{0, m.volume, m.up_to}; },
			[](const Clean& m) { return HeaderFields{0, m.volume, 0}; },
			[](const CleanAck& m) { return HeaderFields{0, m.volume, 0}; },
			[](const ResyncBegin& m) { return HeaderFields{0, m.volume, m.first_seq}; },
			[](const ResyncEnd& m) { return HeaderFields{0, m.volume, m.last_seq}; },
			[](const Attach& m) { return HeaderFields{0, m.volume, 0}; },
			[](const AttachAck& m) {
				return HeaderFields{m.kept ? flag::kept : std::uint8_t{0}, m.volume, 0};
			},
			[](const auto&) { return HeaderFields{}; },
		},
		message);
}

Check check(const Message& message, const Limits& limits)
{
	const HeaderFields h = header_fields(message);
	if (auto ok = check_header_fields(type_of(message), h.flags, h.volume, h.seq); !ok)
		return ok;
	return check_fields(message, limits);
}

bool is_node_id(std::string_view id) noexcept
{
	if (id.empty() || id.size() > max_node_id_chars)
		return false;
	for (char c : id) {
		const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				(c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
		if (!ok)
			return false;
	}
	return true;
}

} // namespace hpsd::replication
