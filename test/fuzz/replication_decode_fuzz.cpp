// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target for the replication decoder (daemon/replication/codec.hpp).
// Built with clang and -DHPS_FUZZ=ON as replication_decode_fuzz; the same
// entry point is linked with corpus_replay_main.cpp into
// replication_decode_replay, which ctest runs over the checked-in corpus on
// every build, with any compiler.
//
// What a crash (abort) means here:
//  - the decoder read or allocated out of bounds (ASan), or hit UB (UBSan);
//  - a frame it accepted does not encode back to the same bytes (decoding
//    is strict, so each message has exactly one frame);
//  - the header-then-payload path and the whole-frame path disagree;
//  - an error was not one line.
// Each input is decoded as given and then once more with both CRCs
// recomputed: random mutations almost never keep a CRC-32C right, and
// without the second pass the fuzzer would hardly get past the header.
// Whatever decodes is also fed to a handshake on either side, which must
// fail or answer, never crash.
#include "replication/codec.hpp"
#include "replication/crc32c.hpp"
#include "replication/crypto.hpp"
#include "replication/handshake.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

using namespace hpsd::replication;

namespace {

void require(bool ok)
{
	if (!ok)
		std::abort();
}

std::uint16_t version_of(std::span<const std::byte> frame)
{
	return static_cast<std::uint16_t>(static_cast<unsigned>(frame[4]) |
					  (static_cast<unsigned>(frame[5]) << 8));
}

class CountingNonces final : public NonceSource {
public:
	hps::Result<void, std::string> fill(std::span<std::uint8_t> out) override
	{
		for (auto& b : out)
			b = static_cast<std::uint8_t>(next_++);
		return {};
	}

private:
	unsigned next_ = 1;
};

void handshake_with(const Message& message)
{
	static const std::vector<std::uint8_t> key(32, 0x42);
	auto secret = ClusterSecret::from_bytes(key);
	require(secret.ok());
	for (auto role : {Handshake::Role::acceptor, Handshake::Role::initiator}) {
		CountingNonces nonces;
		HandshakeConfig config;
		config.node = "fuzz";
		auto h = Handshake::create(role, config, *secret, nonces);
		require(h.ok());
		require(h->start().ok());
		auto step = h->receive(message);
		require(step.ok() || !step.error().reason.empty());
		if (step.ok() && step->has_value())
			(void)encode(**step, h->send_version());
	}
}

void exercise(std::span<const std::byte> bytes)
{
	Limits wide;
	wide.min_version = 0;
	wide.max_version = 0xffff;
	Limits small;
	small.max_write_bytes = 4096;
	small.max_clean_entries = 3;
	for (const Limits& limits : {Limits{}, small, wide}) {
		auto whole = decode(bytes, limits);
		if (!whole) {
			require(!whole.error().empty() && whole.error().find('\n') == std::string::npos);
			continue;
		}
		require(encode(*whole, version_of(bytes)) ==
			std::vector<std::byte>(bytes.begin(), bytes.end()));
		auto header = decode_header(bytes, limits);
		require(header.ok());
		auto parts = decode_payload(*header, bytes.subspan(header_bytes), limits);
		require(parts.ok() && describe(*parts) == describe(*whole));
		handshake_with(*whole);
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const auto bytes = std::as_bytes(std::span(data, size));
	exercise(bytes);
	if (size >= header_bytes) {
		std::vector<std::byte> sealed(bytes.begin(), bytes.end());
		const auto put32 = [&sealed](std::size_t at, std::uint32_t v) {
			for (int i = 0; i < 4; i++)
				sealed[at + i] = static_cast<std::byte>(v >> (8 * i));
		};
		put32(24, crc32c(std::span<const std::byte>(sealed).subspan(header_bytes)));
		put32(28, crc32c(std::span<const std::byte>(sealed).first(header_bytes - 4)));
		exercise(sealed);
	}
	return 0;
}
