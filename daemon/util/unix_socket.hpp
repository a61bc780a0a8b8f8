// SPDX-License-Identifier: GPL-2.0-only
// Blocking AF_UNIX stream connect, shared by hpsctl (to reach hpsd) and by
// hpsd itself (to tell a live daemon's socket from a stale one).
#pragma once

#include "util/result.hpp"
#include "util/unique_fd.hpp"

#include <string_view>

namespace hps {

// Longest path an AF_UNIX address can hold (sun_path minus its NUL).
std::size_t unix_path_max() noexcept;

// Connects to the stream socket at `path`.  The error is an errno value
// (ENOENT, ECONNREFUSED, EACCES, ENAMETOOLONG, ...).
Result<UniqueFd, int> connect_unix(std::string_view path);

} // namespace hps
