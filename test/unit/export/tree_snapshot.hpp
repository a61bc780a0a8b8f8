// SPDX-License-Identifier: GPL-2.0-only
// A directory tree as a value, to check that it is exactly as before.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace hps::test {

// Everything under `root`: relative path -> "dir", "file <text>" or
// "link <target>".
std::map<std::string, std::string> snapshot(const std::filesystem::path& root);
// The text of root/path, or "link <target>", or "" when there is nothing.
std::string file_at(const std::filesystem::path& root, const std::string& path);

} // namespace hps::test
