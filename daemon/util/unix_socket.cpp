// SPDX-License-Identifier: GPL-2.0-only
#include "util/unix_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

namespace hps {

std::size_t unix_path_max() noexcept
{
	return sizeof(sockaddr_un::sun_path) - 1;
}

Result<UniqueFd, int> connect_unix(std::string_view path)
{
	if (path.empty() || path.size() > unix_path_max())
		return fail(ENAMETOOLONG);

	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	std::memcpy(addr.sun_path, path.data(), path.size());

	UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!fd.valid())
		return fail(errno);
	int rc;
	do {
		rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
	} while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return fail(errno);
	return fd;
}

} // namespace hps
