// SPDX-License-Identifier: GPL-2.0-only
// Test helpers for the replication codec: one sample message of every
// type, and byte surgery on encoded frames (set a field, re-seal the CRCs
// so the decoder gets past them to the check under test).
#pragma once

#include "replication/codec.hpp"
#include "replication/crc32c.hpp"
#include "replication/message.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace repltest {

using namespace hpsd::replication;
using Bytes = std::vector<std::byte>;

// Header field offsets (PROTOCOL.md).
inline constexpr std::size_t at_magic = 0, at_version = 4, at_type = 6, at_flags = 7,
			     at_length = 8, at_volume = 12, at_seq = 16, at_payload_crc = 24,
			     at_header_crc = 28;

// 8 KiB of recognisable data for WRITEs.
inline std::span<const std::byte> sample_data()
{
	static const auto data = [] {
		std::array<std::byte, 8192> d{};
		for (std::size_t i = 0; i < d.size(); i++)
			d[i] = static_cast<std::byte>((i * 7 + 3) & 0xff);
		return d;
	}();
	return data;
}

inline Nonce nonce_of(std::uint8_t seed)
{
	Nonce n{};
	for (std::size_t i = 0; i < n.size(); i++)
		n[i] = static_cast<std::uint8_t>(seed + i);
	return n;
}

inline ClusterId cluster_of(std::uint8_t seed)
{
	ClusterId c{};
	for (std::size_t i = 0; i < c.size(); i++)
		c[i] = static_cast<std::uint8_t>(seed ^ (i * 17));
	return c;
}

// One of every type, in MessageType order, every field non-default.
inline std::vector<Message> every_type()
{
	Mac mac{};
	for (std::size_t i = 0; i < mac.size(); i++)
		mac[i] = static_cast<std::uint8_t>(0xa0 + i);
	return {
		Hello{1, 1, 1U << 20, cluster_of(5), nonce_of(1), "stor-1"},
		Challenge{1, 256U << 10, cluster_of(5), nonce_of(2), "stor-2.lab_x"},
		Response{mac},
		Write{7, 42, 1U << 20, true, false, sample_data()},
		WriteAck{7, 42, 5},
		Discard{7, 43, 4096, std::uint64_t{1} << 40, true},
		Flush{7, 43},
		FlushAck{7, 43, 0},
		Clean{7, 9, {{0, 4096, 40}, {8192, 512, 41}, {std::uint64_t{1} << 30, 65536, 12}}},
		CleanAck{7, 9, 0},
		ResyncBegin{7, 100, 1U << 30},
		ResyncEnd{7, 199, 0, 1U << 30},
		Ping{0x0102030405060708},
		Pong{0x0102030405060708},
		Goodbye{},
		Error{ErrorCode::auth, "authentication failed"},
		Attach{7, std::uint64_t{10} << 30, 4096, "db1", "db1-image"},
		AttachAck{7, 0},
		AttachAck{7, 0, true},
	};
}

inline void put(Bytes& frame, std::size_t at, std::uint64_t value, int width)
{
	for (int i = 0; i < width; i++)
		frame.at(at + i) = static_cast<std::byte>(value >> (8 * i));
}

inline std::uint64_t get(const Bytes& frame, std::size_t at, int width)
{
	std::uint64_t v = 0;
	for (int i = 0; i < width; i++)
		v |= std::uint64_t{static_cast<std::uint8_t>(frame.at(at + i))} << (8 * i);
	return v;
}

// Recomputes both CRCs (payload first: the header's covers it).  The
// length field is left alone, so the payload is whatever follows the
// header, up to the frame's end.
inline Bytes reseal(Bytes frame)
{
	const std::span<const std::byte> all(frame);
	put(frame, at_payload_crc, crc32c(all.subspan(header_bytes)), 4);
	put(frame, at_header_crc, crc32c(std::span<const std::byte>(frame).first(header_bytes - 4)), 4);
	return frame;
}

// The frame with a field set and both CRCs re-sealed.
inline Bytes with(Bytes frame, std::size_t at, std::uint64_t value, int width)
{
	put(frame, at, value, width);
	return reseal(std::move(frame));
}

} // namespace repltest
