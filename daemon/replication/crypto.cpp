// SPDX-License-Identifier: GPL-2.0-only
#include "replication/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <climits>

namespace hpsd::replication {
namespace {

// The first queued libcrypto error, as text (the queue is then cleared, so
// a later failure does not report this one).
std::string openssl_error()
{
	const unsigned long code = ERR_get_error();
	ERR_clear_error();
	if (code == 0)
		return "no error recorded";
	char buf[256];
	ERR_error_string_n(code, buf, sizeof(buf));
	return buf;
}

} // namespace

hps::Result<ClusterSecret, std::string> ClusterSecret::from_bytes(std::span<const std::uint8_t> bytes)
{
	if (bytes.size() < min_bytes)
		return hps::fail("cluster secret of " + std::to_string(bytes.size()) +
				 " bytes, at least " + std::to_string(min_bytes) + " needed");
	if (bytes.size() > max_bytes)
		return hps::fail("cluster secret of " + std::to_string(bytes.size()) +
				 " bytes, at most " + std::to_string(max_bytes));
	ClusterSecret s;
	s.bytes_.assign(bytes.begin(), bytes.end());
	return s;
}

ClusterSecret::ClusterSecret(ClusterSecret&& other) noexcept : bytes_(std::move(other.bytes_))
{
	other.bytes_.clear();
}

ClusterSecret& ClusterSecret::operator=(ClusterSecret&& other) noexcept
{
	if (this != &other) {
		wipe();
		bytes_ = std::move(other.bytes_);
		other.bytes_.clear();
	}
	return *this;
}

ClusterSecret::~ClusterSecret()
{
	wipe();
}

void ClusterSecret::wipe() noexcept
{
	if (!bytes_.empty())
		OPENSSL_cleanse(bytes_.data(), bytes_.size());
	bytes_.clear();
}

hps::Result<Digest, std::string> hmac_sha256(std::span<const std::uint8_t> key,
					     std::span<const std::uint8_t> data)
{
	if (key.size() > INT_MAX)
		return hps::fail(std::string("HMAC key too long"));
	Digest out{};
	unsigned int len = 0;
	if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
		  out.data(), &len) ||
	    len != out.size())
		return hps::fail("HMAC-SHA256 failed: " + openssl_error());
	return out;
}

bool equal_constant_time(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept
{
	return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

hps::Result<void, std::string> RandomNonces::fill(std::span<std::uint8_t> out)
{
	if (out.size() > INT_MAX)
		return hps::fail(std::string("nonce too long"));
	if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1)
		return hps::fail("no random bytes (RAND_bytes): " + openssl_error());
	return {};
}

} // namespace hpsd::replication
