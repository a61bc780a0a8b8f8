// SPDX-License-Identifier: GPL-2.0-only
#pragma once

#include <string>
#include <system_error>

namespace hps {

// "No such file or directory" for ENOENT; thread-safe, unlike strerror().
inline std::string errno_text(int err)
{
	return std::system_category().message(err);
}

// The same for a C library's return code: librados and librbd return
// -errno.
inline std::string rc_text(int rc)
{
	return errno_text(rc < 0 ? -rc : rc);
}

} // namespace hps
