// SPDX-License-Identifier: GPL-2.0-only
// The replication codec: the exact wire layout, and a round trip for every
// message type.
#include "frames.hpp"

#include "replication/crc32c.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <string>

using namespace repltest;

namespace {

std::string hex(std::span<const std::byte> bytes)
{
	std::string s;
	char buf[4];
	for (std::byte b : bytes) {
		std::snprintf(buf, sizeof(buf), "%02x", static_cast<unsigned>(b));
		s += buf;
	}
	return s;
}

std::span<const std::byte> text(const char* s)
{
	return std::as_bytes(std::span(s, std::char_traits<char>::length(s)));
}

} // namespace

TEST_CASE("replication crc32c: the standard check value, hardware and table agree",
	  "[replication][crc32c]")
{
	CHECK(crc32c(text("123456789")) == 0xe3069283);
	CHECK(crc32c_portable(0, text("123456789")) == 0xe3069283);
	CHECK(crc32c({}) == 0);

	std::mt19937 rng(7);
	std::vector<std::byte> buf(4099);
	for (auto& b : buf)
		b = static_cast<std::byte>(rng());
	for (std::size_t len : {0, 1, 7, 8, 9, 63, 4096, 4099}) {
		const auto part = std::span<const std::byte>(buf).first(len);
		CHECK(crc32c(part) == crc32c_portable(0, part));
		// Extending over a split equals one pass, wherever the split is.
		for (std::size_t cut : {std::size_t{0}, len / 3, len})
			CHECK(crc32c_extend(crc32c(part.first(cut)), part.subspan(cut)) == crc32c(part));
	}
}

TEST_CASE("replication codec: the wire bytes of PING and WRITE_ACK", "[replication][codec]")
{
	// Computed independently of this codec (Python struct + a bitwise
	// CRC-32C) from the layout in PROTOCOL.md.
	CHECK(hex(encode(Ping{0x0102030405060708})) ==
	      "48505352" "0100" "20" "00" "08000000" "00000000" "0000000000000000"
	      "1c02f926" "03cf436f" "0807060504030201");
	CHECK(hex(encode(WriteAck{7, 42, 5})) ==
	      "48505352" "0100" "11" "00" "04000000" "07000000" "2a00000000000000"
	      "8cd000ee" "be205e61" "05000000");
}

TEST_CASE("replication codec: every type survives a round trip", "[replication][codec]")
{
	const Limits limits;
	for (const Message& m : every_type()) {
		INFO(describe(m));
		const Bytes frame = encode(m);
		auto back = decode(frame, limits);
		REQUIRE(back);
		CHECK(type_of(*back) == type_of(m));
		CHECK(describe(*back) == describe(m));
		// Decoding is strict and encoding deterministic: one frame per message.
		CHECK(encode(*back) == frame);

		// A stream transport's way: header first, then exactly its payload.
		auto header = decode_header(std::span<const std::byte>(frame).first(header_bytes), limits);
		REQUIRE(header);
		CHECK(header->type == type_of(m));
		CHECK(header->length == frame.size() - header_bytes);
		CHECK(header->version == newest_version);
		auto again = decode_payload(*header, std::span<const std::byte>(frame).subspan(header_bytes),
					    limits);
		REQUIRE(again);
		CHECK(encode(*again) == frame);
	}
}

TEST_CASE("replication codec: decoded fields are the encoded ones", "[replication][codec]")
{
	const Limits limits;
	const auto msgs = every_type();

	auto hello = decode(encode(msgs[0]), limits);
	REQUIRE(hello);
	const auto& h = std::get<Hello>(*hello);
	CHECK(h.min_version == 1);
	CHECK(h.max_version == 1);
	CHECK(h.max_write_bytes == 1U << 20);
	CHECK(h.cluster == cluster_of(5));
	CHECK(h.nonce == nonce_of(1));
	CHECK(h.node == "stor-1");

	const auto& c0 = std::get<Challenge>(msgs[1]);
	auto challenge = decode(encode(c0), limits);
	REQUIRE(challenge);
	const auto& c = std::get<Challenge>(*challenge);
	CHECK(c.version == c0.version);
	CHECK(c.max_write_bytes == c0.max_write_bytes);
	CHECK(c.nonce == c0.nonce);
	CHECK(c.cluster == c0.cluster);
	CHECK(c.node == c0.node);

	auto response = decode(encode(msgs[2]), limits);
	REQUIRE(response);
	CHECK(std::get<Response>(*response).mac == std::get<Response>(msgs[2]).mac);

	const Bytes write_frame = encode(msgs[3]);
	auto write = decode(write_frame, limits);
	REQUIRE(write);
	const auto& w = std::get<Write>(*write);
	CHECK(w.volume == 7);
	CHECK(w.seq == 42);
	CHECK(w.offset == 1U << 20);
	CHECK(w.fua);
	CHECK_FALSE(w.resync);
	REQUIRE(w.data.size() == sample_data().size());
	CHECK(std::equal(w.data.begin(), w.data.end(), sample_data().begin()));
	// The data is a view into the frame, not a copy.
	CHECK(w.data.data() == write_frame.data() + header_bytes + 12);

	auto discard = decode(encode(msgs[5]), limits);
	REQUIRE(discard);
	const auto& d = std::get<Discard>(*discard);
	CHECK(d.offset == 4096);
	CHECK(d.length == std::uint64_t{1} << 40);
	CHECK(d.resync);

	auto clean = decode(encode(msgs[8]), limits);
	REQUIRE(clean);
	CHECK(std::get<Clean>(*clean).entries == std::get<Clean>(msgs[8]).entries);
	CHECK(std::get<Clean>(*clean).batch == 9);

	auto error = decode(encode(msgs[15]), limits);
	REQUIRE(error);
	CHECK(std::get<Error>(*error).code == ErrorCode::auth);
	CHECK(std::get<Error>(*error).text == "authentication failed");
}

TEST_CASE("replication codec: encode_split keeps a WRITE's data out of the head",
	  "[replication][codec]")
{
	const Write w{3, 1, 0, false, true, sample_data().first(4096)};
	const EncodedFrame split = encode_split(w);
	CHECK(split.head.size() == header_bytes + 12);
	CHECK(split.data.data() == sample_data().data());
	CHECK(split.data.size() == 4096);

	Bytes joined = split.head;
	joined.insert(joined.end(), split.data.begin(), split.data.end());
	CHECK(joined == encode(w));
	auto back = decode(joined, Limits{});
	REQUIRE(back);
	CHECK(std::get<Write>(*back).resync);

	const EncodedFrame ping = encode_split(Ping{1});
	CHECK(ping.data.empty());
	CHECK(ping.head == encode(Ping{1}));
}

TEST_CASE("replication codec: limits at their edges", "[replication][codec]")
{
	Limits limits;
	limits.max_write_bytes = 4096;
	limits.max_clean_entries = 2;

	const Write at_limit{1, 1, 0, false, false, sample_data().first(4096)};
	CHECK(decode(encode(at_limit), limits));
	const Write over{1, 1, 0, false, false, sample_data().first(4608)};
	auto refused = decode(encode(over), limits);
	REQUIRE_FALSE(refused);
	CHECK(refused.error() == "WRITE payload length 4620 not in 524..4108");

	Clean two{1, 1, {{0, 512, 1}, {512, 512, 2}}};
	CHECK(decode(encode(two), limits));
	Clean three = two;
	three.entries.push_back({1024, 512, 3});
	CHECK_FALSE(decode(encode(three), limits));

	// The smallest WRITE: one sector.
	CHECK(decode(encode(Write{1, 1, 0, false, false, sample_data().first(512)}), limits));
	// Longest node id, longest error text, empty error text.
	Hello h = std::get<Hello>(every_type()[0]);
	h.node = std::string(max_node_id_chars, 'n');
	CHECK(decode(encode(h), limits));
	CHECK(decode(encode(Error{ErrorCode::protocol, std::string(max_error_text_chars, '~')}), limits));
	CHECK(decode(encode(Error{ErrorCode::protocol, ""}), limits));
	// An error code this build does not know is still an ERROR.
	auto odd = decode(encode(Error{static_cast<ErrorCode>(999), "x"}), limits);
	REQUIRE(odd);
	CHECK(describe(*odd) == "ERROR code 999: x");

	CHECK(max_frame_bytes(Limits{}) == header_bytes + 12 + (1U << 20));
	CHECK(max_frame_bytes(limits) == header_bytes + 12 + 4096);
}

TEST_CASE("replication codec: describe() for logs", "[replication][codec]")
{
	const auto m = every_type();
	CHECK(describe(m[0]) == "HELLO node stor-1 versions 1..1");
	CHECK(describe(m[3]) == "WRITE vol 7 seq 42 off 1048576 len 8192 fua");
	CHECK(describe(m[4]) == "WRITE_ACK vol 7 seq 42 status 5");
	CHECK(describe(m[5]) == "DISCARD vol 7 seq 43 off 4096 len 1099511627776 resync");
	CHECK(describe(m[6]) == "FLUSH vol 7 up_to 43");
	CHECK(describe(m[7]) == "FLUSH_ACK vol 7 up_to 43 ok");
	CHECK(describe(m[8]) == "CLEAN vol 7 batch 9 entries 3");
	CHECK(describe(m[11]) == "RESYNC_END vol 7 last_seq 199 ok bytes 1073741824");
	CHECK(describe(m[14]) == "GOODBYE");
	CHECK(describe(m[15]) == "ERROR auth: authentication failed");
}
