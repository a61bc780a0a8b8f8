// SPDX-License-Identifier: GPL-2.0-only
#include "replication/secret_file.hpp"

#include "util/errno_text.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>

namespace hpsd::replication {
namespace {

std::string octal(mode_t mode)
{
	char buf[8];
	std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(mode & 07777));
	return buf;
}

// The bytes on the stack, wiped on the way out whatever happens.
struct Scratch {
	std::array<std::uint8_t, ClusterSecret::max_bytes + 1> bytes{};
	~Scratch() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

} // namespace

hps::Result<ClusterSecret, std::string> load_cluster_secret(const std::string& path)
{
	const std::string what = "secret file " + path;
	hps::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
	if (!fd.valid())
		return hps::fail(what + ": cannot open: " + hps::errno_text(errno));
	// Of what was opened, so a rename in between cannot fool the check.
	struct stat st {};
	if (::fstat(fd.get(), &st) < 0)
		return hps::fail(what + ": cannot stat: " + hps::errno_text(errno));
	if (!S_ISREG(st.st_mode))
		return hps::fail(what + " is not a regular file");
	if ((st.st_mode & 077) != 0)
		return hps::fail(what + " has mode " + octal(st.st_mode) +
				 ": group and others must have no access (chmod 600 it)");

	Scratch scratch;
	std::size_t size = 0;
	// One byte more than a secret may have, to tell a file that is too long.
	while (size < scratch.bytes.size()) {
		const ssize_t n = ::read(fd.get(), scratch.bytes.data() + size, scratch.bytes.size() - size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hps::fail(what + ": cannot read: " + hps::errno_text(errno));
		if (n == 0)
			break;
		size += static_cast<std::size_t>(n);
	}
	const std::string bounds = std::to_string(ClusterSecret::min_bytes) + ".." +
				   std::to_string(ClusterSecret::max_bytes);
	if (size > ClusterSecret::max_bytes)
		return hps::fail(what + " holds more than " + std::to_string(ClusterSecret::max_bytes) +
				 " bytes; a secret has " + bounds);
	if (size < ClusterSecret::min_bytes)
		return hps::fail(what + " holds " + std::to_string(size) + " bytes; a secret has " + bounds);
	auto secret = ClusterSecret::from_bytes(std::span(scratch.bytes.data(), size));
	if (!secret)
		return hps::fail(what + ": " + secret.error());
	return std::move(secret).value();
}

} // namespace hpsd::replication
