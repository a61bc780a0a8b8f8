// SPDX-License-Identifier: GPL-2.0-only
// FrameBuffer: frames out of a byte stream cut anywhere, lengths bounded
// before the payload is awaited, and no growth past the largest frame.
#include "frames.hpp"

#include "replication/frame_buffer.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

using namespace repltest;
using Catch::Matchers::Contains;

namespace {

// Feeds `stream` in pieces of at most `piece` bytes (and never more than
// space() offers), collecting the encoding of every frame taken.
std::vector<Bytes> feed(FrameBuffer& fb, const Bytes& stream, std::size_t piece, std::size_t* most = nullptr)
{
	std::vector<Bytes> frames;
	std::size_t at = 0;
	while (at < stream.size()) {
		const std::span<std::byte> space = fb.space();
		if (most)
			*most = std::max(*most, space.size() + fb.pending());
		const std::size_t n = std::min({piece, space.size(), stream.size() - at});
		std::memcpy(space.data(), stream.data() + at, n);
		fb.commit(n);
		at += n;
		for (;;) {
			auto frame = fb.next(Limits{});
			REQUIRE(frame);
			if (!frame->has_value())
				break;
			frames.push_back(encode(**frame));
		}
	}
	return frames;
}

Bytes stream_of(const std::vector<Message>& messages)
{
	Bytes all;
	for (const Message& m : messages) {
		const Bytes f = encode(m);
		all.insert(all.end(), f.begin(), f.end());
	}
	return all;
}

} // namespace

TEST_CASE("frame buffer: every type, whatever the read sizes", "[replication][frame_buffer]")
{
	const auto messages = every_type();
	const Bytes stream = stream_of(messages);
	for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{32}, std::size_t{33},
				  std::size_t{4096}, stream.size()}) {
		INFO("pieces of " << piece);
		FrameBuffer fb(max_frame_bytes(Limits{}), 1024);
		const auto frames = feed(fb, stream, piece);
		REQUIRE(frames.size() == messages.size());
		for (std::size_t i = 0; i < frames.size(); i++)
			CHECK(frames[i] == encode(messages[i]));
		CHECK(fb.pending() == 0);
	}
}

TEST_CASE("frame buffer: a WRITE's data is a view into the buffer, up to the largest frame", "[replication][frame_buffer]")
{
	std::vector<std::byte> big(Limits{}.max_write_bytes);
	for (std::size_t i = 0; i < big.size(); i++)
		big[i] = static_cast<std::byte>(i * 13 + 1);
	const Message write = Write{3, 9, 0, false, true, big};
	const Bytes stream = stream_of({Ping{1}, write, Ping{2}});
	FrameBuffer fb(max_frame_bytes(Limits{}), 4096);
	std::size_t most = 0;
	const auto frames = feed(fb, stream, 65536, &most);
	REQUIRE(frames.size() == 3);
	CHECK(frames[1] == encode(write));
	CHECK(most <= max_frame_bytes(Limits{}));
}

TEST_CASE("frame buffer: a bad header is refused before its payload is awaited", "[replication][frame_buffer]")
{
	const Bytes hello = encode(every_type()[0]);
	auto first_error = [](FrameBuffer& fb, const Bytes& bytes) {
		const auto space = fb.space();
		REQUIRE(space.size() >= bytes.size());
		std::memcpy(space.data(), bytes.data(), bytes.size());
		fb.commit(bytes.size());
		auto frame = fb.next(Limits{});
		REQUIRE_FALSE(frame);
		return frame.error();
	};
	SECTION("bad magic, header only")
	{
		FrameBuffer fb(4096, 4096);
		const Bytes bad = with(Bytes(hello.begin(), hello.begin() + header_bytes), at_magic, 0x41414141, 4);
		CHECK_THAT(first_error(fb, bad), Contains("magic"));
	}
	SECTION("garbage")
	{
		FrameBuffer fb(4096, 4096);
		CHECK_THAT(first_error(fb, Bytes(header_bytes, std::byte{0x41})), Contains("magic"));
	}
	SECTION("a length beyond the type's")
	{
		FrameBuffer fb(4096, 4096);
		const Bytes bad = with(Bytes(hello.begin(), hello.begin() + header_bytes), at_length, 100000, 4);
		CHECK_THAT(first_error(fb, bad), Contains("HELLO payload length 100000"));
	}
	SECTION("a length beyond the buffer's bound (an unauthenticated peer's WRITE)")
	{
		FrameBuffer fb(header_bytes + 256, 512);
		const Bytes write = encode(Write{1, 1, 0, false, false, sample_data().first(4096)});
		const Bytes head(write.begin(), write.begin() + header_bytes);
		CHECK_THAT(first_error(fb, head), Contains("WRITE of 4108 payload bytes, at most 256"));
	}
}

TEST_CASE("frame buffer: a payload that does not decode is an error once it is in", "[replication][frame_buffer]")
{
	Bytes ping = encode(Ping{5});
	ping.back() ^= std::byte{1}; // payload crc no longer matches
	FrameBuffer fb(4096, 4096);
	const auto space = fb.space();
	std::memcpy(space.data(), ping.data(), ping.size() - 1);
	fb.commit(ping.size() - 1);
	auto partial = fb.next(Limits{});
	REQUIRE(partial);
	CHECK_FALSE(partial->has_value());
	fb.space()[0] = ping.back();
	fb.commit(1);
	auto frame = fb.next(Limits{});
	REQUIRE_FALSE(frame);
	CHECK_THAT(frame.error(), Contains("payload crc"));
}
