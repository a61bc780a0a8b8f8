// SPDX-License-Identifier: GPL-2.0-only
// Small state files in hpsd's state dir, read whole and replaced
// atomically, so that a crash leaves the old or the new file, never a torn
// one.  Errors are one line naming the path.
#pragma once

#include "util/result.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hps {

// The file's text; nullopt when it does not exist; an error when it cannot
// be read or is larger than `max_bytes`.
Result<std::optional<std::string>, std::string> read_small_file(const std::filesystem::path& path,
								 std::size_t max_bytes);

// Writes `text` to <path>.tmp (created with `mode`), fsyncs it, renames it
// over `path` and fsyncs the directory.
Result<void, std::string> write_file_atomic(const std::filesystem::path& path,
					    std::string_view text, unsigned mode = 0600);

} // namespace hps
