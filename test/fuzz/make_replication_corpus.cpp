// SPDX-License-Identifier: GPL-2.0-only
// Writes the replication decoder's seed corpus: one valid frame of every
// message type (valid-*) and a handful of broken ones (bad-*), each broken
// in one way.  Run it when the format changes, and commit the result:
//
//   build/test/fuzz/make_replication_corpus test/fuzz/corpus/replication
#include "replication/codec.hpp"
#include "replication/crc32c.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace hpsd::replication;
using Bytes = std::vector<std::byte>;

namespace {

void put(Bytes& b, std::size_t at, std::uint64_t v, int width)
{
	for (int i = 0; i < width; i++)
		b.at(at + i) = static_cast<std::byte>(v >> (8 * i));
}

// Both CRCs recomputed, so the frame is broken only where a test broke it.
Bytes reseal(Bytes b)
{
	put(b, 24, crc32c(std::span<const std::byte>(b).subspan(header_bytes)), 4);
	put(b, 28, crc32c(std::span<const std::byte>(b).first(header_bytes - 4)), 4);
	return b;
}

Bytes with(Bytes b, std::size_t at, std::uint64_t v, int width)
{
	put(b, at, v, width);
	return reseal(std::move(b));
}

} // namespace

int main(int argc, char** argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	const std::filesystem::path dir = argv[1];
	std::filesystem::create_directories(dir);
	auto write = [&dir](const std::string& name, const Bytes& b) {
		std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
		out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
	};

	std::array<std::byte, 1024> data{};
	for (std::size_t i = 0; i < data.size(); i++)
		data[i] = static_cast<std::byte>(i * 31);
	ClusterId cluster{};
	Nonce nonce{};
	Mac mac{};
	for (std::size_t i = 0; i < nonce.size(); i++)
		nonce[i] = mac[i] = static_cast<std::uint8_t>(i + 1);
	cluster[0] = 0xc1;

	const Bytes hello = encode(Hello{1, 1, 1U << 20, cluster, nonce, "stor-1"});
	const Bytes write_frame = encode(Write{1, 5, 8192, true, false, std::span(data).first(512)});
	const Bytes clean = encode(Clean{1, 3, {{0, 4096, 2}, {4096, 512, 4}}});
	const Bytes ping = encode(Ping{77});
	const Bytes error = encode(Error{ErrorCode::protocol, "bad frame"});

	write("valid-hello", hello);
	write("valid-challenge", encode(Challenge{1, 128U << 10, cluster, nonce, "stor-2"}));
	write("valid-response", encode(Response{mac}));
	write("valid-write", write_frame);
	write("valid-write-resync", encode(Write{1, 6, 0, false, true, std::span(data)}));
	write("valid-write-ack", encode(WriteAck{1, 5, 0}));
	write("valid-discard", encode(Discard{1, 7, 0, 1U << 30, false}));
	write("valid-flush", encode(Flush{1, 7}));
	write("valid-flush-ack", encode(FlushAck{1, 7, 0}));
	write("valid-clean", clean);
	write("valid-clean-ack", encode(CleanAck{1, 3, 0}));
	write("valid-resync-begin", encode(ResyncBegin{1, 1, 1U << 20}));
	write("valid-resync-end", encode(ResyncEnd{1, 7, 0, 1U << 20}));
	write("valid-ping", ping);
	write("valid-pong", encode(Pong{77}));
	write("valid-goodbye", encode(Goodbye{}));
	write("valid-error", error);
	write("valid-attach", encode(Attach{1, 1U << 30, 4096, "db1", "db1"}));
	write("valid-attach-ack", encode(AttachAck{1, 0}));

	write("bad-empty", {});
	write("bad-short-header", Bytes(ping.begin(), ping.begin() + 20));
	write("bad-magic", with(ping, 0, 0x12345678, 4));
	write("bad-version", with(ping, 4, 9, 2));
	Bytes header_crc = ping;
	header_crc[16] ^= std::byte{1};
	write("bad-header-crc", header_crc);
	Bytes payload_crc = write_frame;
	payload_crc.back() ^= std::byte{1};
	write("bad-payload-crc", payload_crc);
	write("bad-type", with(ping, 6, 99, 1));
	write("bad-flags", with(ping, 7, 1, 1));
	write("bad-length-huge", with(write_frame, 8, 0xffffffff, 4));
	write("bad-seq-zero", with(write_frame, 16, 0, 8));
	write("bad-write-length-past-payload", with(write_frame, header_bytes + 8, 4096, 4));
	write("bad-write-unaligned", with(write_frame, header_bytes, 8193, 8));
	write("bad-clean-count-past-payload", with(clean, header_bytes + 8, 3, 4));
	write("bad-clean-count-huge", with(clean, header_bytes + 8, 0xffffffff, 4));
	write("bad-hello-node-length", with(hello, header_bytes + 56, 40, 1));
	write("bad-error-text", with(error, header_bytes + 4, 0, 1));
	write("bad-truncated-write", Bytes(write_frame.begin(), write_frame.end() - 1));
	Bytes trailing = ping;
	trailing.push_back(std::byte{0});
	write("bad-trailing-byte", trailing);
	return 0;
}
