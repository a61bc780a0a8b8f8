// SPDX-License-Identifier: GPL-2.0-only
// Getting the control socket's path ready to bind, and cleaning it up.
#pragma once

#include "core/log.hpp"
#include "util/result.hpp"

#include <sys/types.h>

#include <string>

namespace hpsd {

// Creates the parent directory (mode 0700) if it is missing, and clears the
// path: a socket nobody listens on (left by a crashed hpsd) is removed; a
// live one means another hpsd runs, which is an error, as is any
// non-socket file at the path.  The error is one line for the operator.
hps::Result<void, std::string> prepare_socket_path(const std::string& path, Logger& log);

// Identity of the socket file this hpsd bound, so that at exit it removes
// its own socket and never one a newer hpsd has put in its place.
struct SocketFileId {
	dev_t dev = 0;
	ino_t ino = 0;
};

hps::Result<SocketFileId, std::string> socket_file_id(const std::string& path);
void remove_socket_file(const std::string& path, const SocketFileId& id, Logger& log);

} // namespace hpsd
