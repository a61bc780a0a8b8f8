// SPDX-License-Identifier: GPL-2.0-only
// What the handshake needs from OpenSSL's libcrypto: HMAC-SHA256, a
// constant-time compare, random nonces (behind a seam so tests choose
// them) and a holder for the cluster secret that wipes it when done.
#pragma once

#include "util/result.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hpsd::replication {

using Digest = std::array<std::uint8_t, 32>;

// The secret every node of a cluster shares (distributed with the config,
// under /etc/hps/).  Move-only; the bytes are wiped (OPENSSL_cleanse) when
// it goes, so a core dump taken later does not carry them.
class ClusterSecret {
public:
	static constexpr std::size_t min_bytes = 16; // 128 bits
	static constexpr std::size_t max_bytes = 1024;

	// Errors say why (too short, too long); never the secret.
	static hps::Result<ClusterSecret, std::string> from_bytes(std::span<const std::uint8_t> bytes);

	ClusterSecret(ClusterSecret&& other) noexcept;
	ClusterSecret& operator=(ClusterSecret&& other) noexcept;
	ClusterSecret(const ClusterSecret&) = delete;
	ClusterSecret& operator=(const ClusterSecret&) = delete;
	~ClusterSecret();

	std::span<const std::uint8_t> bytes() const noexcept { return bytes_; }

private:
	ClusterSecret() = default;
	void wipe() noexcept;

	std::vector<std::uint8_t> bytes_;
};

// HMAC-SHA256(key, data).  An error only if libcrypto fails (it has no
// SHA-256: a broken installation).
hps::Result<Digest, std::string> hmac_sha256(std::span<const std::uint8_t> key,
					     std::span<const std::uint8_t> data);

// a == b in time that depends on the length only (CRYPTO_memcmp), so a
// forger learns nothing from how long a comparison took.
bool equal_constant_time(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

// Where handshake nonces come from.
class NonceSource {
public:
	virtual ~NonceSource() = default;
	// Fills `out` with fresh unpredictable bytes, or says why it could not.
	virtual hps::Result<void, std::string> fill(std::span<std::uint8_t> out) = 0;
};

// RAND_bytes: OpenSSL's CSPRNG, seeded from getrandom().
class RandomNonces final : public NonceSource {
public:
	hps::Result<void, std::string> fill(std::span<std::uint8_t> out) override;
};

} // namespace hpsd::replication
