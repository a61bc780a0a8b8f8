// SPDX-License-Identifier: GPL-2.0-only
// The replication decoder refuses every malformed frame with one line that
// names the field and value, and never reads or allocates past its limits.
#include "frames.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace repltest;
using Catch::Matchers::Contains;

namespace {

// The decoder's error for `frame`, which must be refused.
std::string refused(const Bytes& frame, const Limits& limits = Limits{})
{
	auto r = decode(frame, limits);
	REQUIRE_FALSE(r);
	CHECK_FALSE(r.error().empty());
	CHECK(r.error().find('\n') == std::string::npos);
	return r.error();
}

Bytes frame_of(std::size_t index)
{
	return encode(every_type().at(index));
}

// Indexes into every_type().
constexpr std::size_t hello_i = 0, challenge_i = 1, write_i = 3, write_ack_i = 4, discard_i = 5,
		      clean_i = 8, ping_i = 12, error_i = 15,
		      attach_i = 16, attach_ack_i = 17;

// A frame with the payload replaced (header length and CRCs to match).
Bytes with_payload(Bytes frame, const Bytes& payload)
{
	frame.resize(header_bytes);
	frame.insert(frame.end(), payload.begin(), payload.end());
	put(frame, at_length, payload.size(), 4);
	return reseal(std::move(frame));
}

Bytes le(std::initializer_list<std::pair<std::uint64_t, int>> fields)
{
	Bytes out;
	for (auto [value, width] : fields)
		for (int i = 0; i < width; i++)
			out.push_back(static_cast<std::byte>(value >> (8 * i)));
	return out;
}

} // namespace

TEST_CASE("replication decode: truncated anywhere", "[replication][decode]")
{
	CHECK(refused({}) == "frame of 0 bytes ends inside the 32-byte header");
	CHECK(refused(Bytes(31)) == "frame of 31 bytes ends inside the 32-byte header");
	// Every proper prefix of every type's frame.
	for (const Message& m : every_type()) {
		const Bytes frame = encode(m);
		for (std::size_t len = 0; len < frame.size(); len++)
			CHECK_FALSE(decode(std::span<const std::byte>(frame).first(len), Limits{}));
	}
	Bytes w = frame_of(write_i);
	w.pop_back();
	CHECK(refused(w) == "WRITE frame of 8235 bytes ends inside its 8204-byte payload");
	Bytes p = frame_of(ping_i);
	p.push_back(std::byte{0});
	CHECK(refused(p) == "PING frame has 1 bytes after its payload");
	// decode_payload given a payload of another length than the header's.
	auto header = decode_header(frame_of(ping_i), Limits{});
	REQUIRE(header);
	auto short_payload = decode_payload(*header, Bytes(7), Limits{});
	REQUIRE_FALSE(short_payload);
	CHECK(short_payload.error() == "PING payload of 7 bytes, the header says 8");
}

TEST_CASE("replication decode: bad magic, version, CRCs", "[replication][decode]")
{
	CHECK(refused(with(frame_of(ping_i), at_magic, 0x52535049, 4)) ==
	      "magic 0x52535049, expected 0x52535048 (\"HPSR\")");
	CHECK(refused(with(frame_of(ping_i), at_version, 0, 2)) == "version 0 not in 1..1");
	CHECK(refused(with(frame_of(ping_i), at_version, 2, 2)) == "version 2 not in 1..1");
	// A version the limits allow decodes; one they exclude does not.
	Limits two{1, 2, 1U << 20, 4096};
	CHECK(decode(with(frame_of(ping_i), at_version, 2, 2), two));
	Limits only_two{2, 2, 1U << 20, 4096};
	CHECK(refused(frame_of(ping_i), only_two) == "version 1 not in 2..2");

	Bytes flipped = frame_of(ping_i);
	flipped[at_seq] ^= std::byte{1};
	CHECK_THAT(refused(flipped), Contains("header crc 0x6f43cf03, computed 0x"));

	Bytes body = frame_of(write_i);
	body[header_bytes + 100] ^= std::byte{0x80};
	CHECK_THAT(refused(body), Contains("WRITE payload crc 0x"));
	Bytes data_end = frame_of(write_i);
	data_end.back() ^= std::byte{1};
	CHECK_THAT(refused(data_end), Contains("WRITE payload crc"));
}

TEST_CASE("replication decode: unknown types and flags", "[replication][decode]")
{
	for (std::uint64_t t : {0, 4, 15, 27, 31, 36, 255})
		CHECK(refused(with(frame_of(ping_i), at_type, t, 1)) ==
		      "type " + std::to_string(t) + " unknown");
	CHECK(refused(with(frame_of(ping_i), at_flags, flag::fua, 1)) == "flags 0x01 not allowed in PING");
	CHECK(refused(with(frame_of(write_i), at_flags, 0x04, 1)) == "flags 0x04 not allowed in WRITE");
	CHECK(refused(with(frame_of(write_i), at_flags, 0x80, 1)) == "flags 0x80 not allowed in WRITE");
	CHECK(refused(with(frame_of(discard_i), at_flags, flag::fua, 1)) ==
	      "flags 0x01 not allowed in DISCARD");
	CHECK(refused(with(frame_of(write_ack_i), at_flags, flag::resync, 1)) ==
	      "flags 0x02 not allowed in WRITE_ACK");
	// Every flag combination WRITE allows decodes.
	for (std::uint64_t f : {0, 1, 2, 3})
		CHECK(decode(with(frame_of(write_i), at_flags, f, 1), Limits{}));
	// ATTACH_ACK takes `kept`, and only with status 0.
	CHECK(refused(with(frame_of(attach_ack_i), at_flags, flag::fua, 1)) ==
	      "flags 0x01 not allowed in ATTACH_ACK");
	auto kept = decode(with(frame_of(attach_ack_i), at_flags, flag::kept, 1), Limits{});
	REQUIRE(kept);
	CHECK(std::get<AttachAck>(*kept).kept);
	CHECK(refused(with(with(frame_of(attach_ack_i), at_flags, flag::kept, 1), header_bytes, 17,
			   4)) == "ATTACH_ACK kept with status 17");
}

TEST_CASE("replication decode: volume and seq as each type uses them", "[replication][decode]")
{
	CHECK(refused(with(frame_of(write_i), at_volume, 0, 4)) == "volume 0 in WRITE");
	CHECK(refused(with(frame_of(write_i), at_seq, 0, 8)) == "seq 0 in WRITE");
	CHECK(refused(with(frame_of(write_ack_i), at_seq, 0, 8)) == "seq 0 in WRITE_ACK");
	CHECK(refused(with(frame_of(ping_i), at_volume, 5, 4)) == "volume 5 in PING, expected 0");
	CHECK(refused(with(frame_of(hello_i), at_seq, 1, 8)) == "seq 1 in HELLO, expected 0");
	CHECK(refused(with(frame_of(clean_i), at_seq, 3, 8)) == "seq 3 in CLEAN, expected 0");
	CHECK(refused(with(frame_of(clean_i), at_volume, 0, 4)) == "volume 0 in CLEAN");
	// FLUSH up to 0 (nothing written yet) is fine.
	CHECK(decode(encode(Flush{1, 0}), Limits{}));
	CHECK(decode(encode(ResyncEnd{1, 0, 0, 0}), Limits{}));
}

TEST_CASE("replication decode: payload lengths out of the type's range", "[replication][decode]")
{
	CHECK(refused(with(frame_of(ping_i), at_length, 9, 4)) == "PING payload length 9 not in 8..8");
	CHECK(refused(with(frame_of(ping_i), at_length, 0xffffffff, 4)) ==
	      "PING payload length 4294967295 not in 8..8");
	CHECK(refused(with(frame_of(write_i), at_length, 0xffffffff, 4)) ==
	      "WRITE payload length 4294967295 not in 524..1048588");
	CHECK(refused(with(frame_of(write_i), at_length, 12 + (1U << 20) + 1, 4)) ==
	      "WRITE payload length 1048589 not in 524..1048588");
	CHECK(refused(with(frame_of(write_ack_i), at_length, 5, 4)) ==
	      "WRITE_ACK payload length 5 not in 4..4");
	CHECK(refused(with(frame_of(hello_i), at_length, 500, 4)) ==
	      "HELLO payload length 500 not in 58..120");
	CHECK(refused(with(frame_of(clean_i), at_length, 12 + 20 * 4097, 4)) ==
	      "CLEAN payload length 81952 not in 32..81932");
	CHECK(refused(with(frame_of(error_i), at_length, 205, 4)) == "ERROR payload length 205 not in 4..204");
	// decode_header alone refuses it before the payload is read.
	auto h = decode_header(with(frame_of(write_i), at_length, 0x7fffffff, 4), Limits{});
	REQUIRE_FALSE(h);
}

TEST_CASE("replication decode: counts and lengths past the payload", "[replication][decode]")
{
	const Bytes w = frame_of(write_i);
	// WRITE's own length field against the data that follows.
	CHECK(refused(with(w, header_bytes + 8, 8193, 4)) ==
	      "WRITE data length 8193, payload has 8192 bytes left");
	CHECK(refused(with(w, header_bytes + 8, 0xffffffff, 4)) ==
	      "WRITE data length 4294967295, payload has 8192 bytes left");
	CHECK(refused(with(w, header_bytes + 8, 4096, 4)) ==
	      "WRITE data length 4096, payload has 8192 bytes left");

	const Bytes c = frame_of(clean_i); // 3 entries
	CHECK(refused(with(c, header_bytes + 8, 4, 4)) ==
	      "CLEAN count 4 needs 80 bytes of entries, payload has 60");
	CHECK(refused(with(c, header_bytes + 8, 2, 4)) ==
	      "CLEAN count 2 needs 40 bytes of entries, payload has 60");
	// A count past the limit is refused before anything is allocated.
	CHECK(refused(with(c, header_bytes + 8, 0xffffffff, 4)) == "CLEAN count 4294967295 not in 1..4096");
	CHECK(refused(with(c, header_bytes + 8, 0, 4)) == "CLEAN count 0 not in 1..4096");

	const Bytes h = frame_of(hello_i); // node "stor-1"
	const std::size_t node_len_at = header_bytes + 2 + 2 + 4 + 16 + 32;
	CHECK(refused(with(h, node_len_at, 7, 1)) == "HELLO node id length 7, payload has 6 bytes left");
	CHECK(refused(with(h, node_len_at, 255, 1)) == "HELLO node id length 255, payload has 6 bytes left");
	CHECK(refused(with(h, node_len_at, 0, 1)) == "HELLO node id length 0, payload has 6 bytes left");
	const Bytes ch = frame_of(challenge_i);
	CHECK_THAT(refused(with(ch, header_bytes + 2 + 4 + 16 + 32, 200, 1)),
		   Contains("CHALLENGE node id length 200"));

	const Bytes e = frame_of(error_i);
	CHECK(refused(with(e, header_bytes + 2, 22, 2)) == "ERROR text length 22, payload has 21 bytes left");
	CHECK(refused(with(e, header_bytes + 2, 0xffff, 2)) ==
	      "ERROR text length 65535, payload has 21 bytes left");
}

TEST_CASE("replication decode: field values", "[replication][decode]")
{
	const Bytes w = frame_of(write_i);
	CHECK(refused(with(w, header_bytes, 513, 8)) == "WRITE offset 513 is not a multiple of 512");
	CHECK(refused(with(w, header_bytes, ~std::uint64_t{0} - 511, 8)) ==
	      "WRITE offset 18446744073709551104 + length 8192 is past 2^64");
	// A data length that is not whole sectors.
	Bytes odd = with_payload(w, le({{0, 8}, {700, 4}}));
	odd.resize(odd.size() + 700);
	put(odd, at_length, 12 + 700, 4);
	CHECK(refused(reseal(odd)) == "WRITE length 700 is not a multiple of 512");

	const Bytes d = frame_of(discard_i);
	CHECK(refused(with_payload(d, le({{0, 8}, {0, 8}}))) == "DISCARD length 0");
	CHECK(refused(with_payload(d, le({{4096, 8}, {~std::uint64_t{0} - 511, 8}}))) ==
	      "DISCARD offset 4096 + length 18446744073709551104 is past 2^64");
	CHECK(refused(with_payload(d, le({{0, 8}, {100, 8}}))) ==
	      "DISCARD length 100 is not a multiple of 512");

	const Bytes c = frame_of(clean_i);
	const std::size_t entry1 = header_bytes + 12 + 20;
	CHECK(refused(with(c, entry1 + 8, 0, 4)) == "CLEAN entry 1 length 0");
	CHECK(refused(with(c, entry1 + 12, 0, 8)) == "CLEAN entry 1 seq 0");
	CHECK(refused(with(c, entry1, 100, 8)) == "CLEAN entry 1 offset 100 is not a multiple of 512");

	const Bytes ack = frame_of(write_ack_i);
	CHECK(refused(with(ack, header_bytes, 4096, 4)) == "WRITE_ACK status 4096 over 4095");
	CHECK(decode(with(ack, header_bytes, 4095, 4), Limits{}));

	const Bytes h = frame_of(hello_i);
	CHECK(refused(with(h, header_bytes, 0, 2)) == "HELLO versions 0..1 are not a range of versions");
	CHECK(refused(with(h, header_bytes, 3, 2)) == "HELLO versions 3..1 are not a range of versions");
	CHECK(refused(with(h, header_bytes + 4, 4095, 4)) ==
	      "HELLO max_write_bytes 4095 not a multiple of 512 in 4096..16777216");
	CHECK(refused(with(h, header_bytes + 4, (16U << 20) + 512, 4)) ==
	      "HELLO max_write_bytes 16777728 not a multiple of 512 in 4096..16777216");
	const std::size_t node_at = header_bytes + 2 + 2 + 4 + 16 + 32 + 1;
	CHECK(refused(with(h, node_at + 2, ' ', 1)) ==
	      "HELLO node id \"st r-1\" (6 bytes) is not 1..63 of A-Za-z0-9._-");
	CHECK(refused(with(h, node_at, 0xff, 1)) ==
	      "HELLO node id \"?tor-1\" (6 bytes) is not 1..63 of A-Za-z0-9._-");
	CHECK(refused(with(frame_of(challenge_i), header_bytes, 0, 2)) == "CHALLENGE version 0");

	const Bytes e = frame_of(error_i);
	CHECK(refused(with(e, header_bytes + 4, '\n', 1)) == "ERROR text byte 10 at 0 is not printable ASCII");
	CHECK(refused(with(e, header_bytes + 5, 0x7f, 1)) == "ERROR text byte 127 at 1 is not printable ASCII");

	const Bytes a = frame_of(attach_i);
	CHECK(refused(with(a, header_bytes, 1000, 8)) ==
	      "ATTACH size 1000 is not a positive multiple of 512");
	CHECK(refused(with(a, header_bytes + 8, 3000, 4)) ==
	      "ATTACH block 3000 is not a power of two in 512..1048576");
	CHECK(refused(with(a, header_bytes + 14 + 1, ' ', 1)) ==
	      "ATTACH name byte 32 at 1 is not printable ASCII");
	CHECK(refused(with(a, header_bytes + 14 + 3, 0x7f, 1)) ==
	      "ATTACH image byte 127 at 0 is not printable ASCII");
	// The names' lengths must add up to the payload's.
	CHECK(refused(with(a, header_bytes + 12, 4, 1)) ==
	      "ATTACH names length 13, payload has 12 bytes left");
}

TEST_CASE("replication decode: random bytes and mutated frames never crash",
	  "[replication][decode]")
{
	std::mt19937_64 rng(20240601);
	const auto frames = [] {
		std::vector<Bytes> f;
		for (const Message& m : every_type())
			f.push_back(encode(m));
		return f;
	}();
	Limits small;
	small.max_write_bytes = 8192;
	small.max_clean_entries = 4;
	std::size_t decoded = 0;
	for (int round = 0; round < 20000; round++) {
		Bytes b = frames[rng() % frames.size()];
		const int edits = 1 + static_cast<int>(rng() % 4);
		for (int i = 0; i < edits; i++) {
			switch (rng() % 4) {
			case 0: // flip a bit
				b[rng() % b.size()] ^= static_cast<std::byte>(1U << (rng() % 8));
				break;
			case 1: // a random byte
				b[rng() % b.size()] = static_cast<std::byte>(rng());
				break;
			case 2: // cut
				b.resize(rng() % (b.size() + 1));
				break;
			default: // grow
				b.resize(b.size() + rng() % 64, static_cast<std::byte>(rng()));
				break;
			}
			if (b.empty())
				b.push_back(std::byte{0});
		}
		if (rng() % 2 && b.size() >= header_bytes)
			b = reseal(std::move(b)); // past the CRCs, to the checks behind them
		for (const Limits& limits : {Limits{}, small}) {
			auto r = decode(b, limits);
			if (r) {
				decoded++;
				CHECK(encode(*r, get(b, at_version, 2)) == b);
			} else {
				CHECK(r.error().find('\n') == std::string::npos);
			}
		}
	}
	CHECK(decoded > 0); // some mutations are valid frames; they re-encode to themselves
}
