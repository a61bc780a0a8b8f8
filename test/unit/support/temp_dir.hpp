// SPDX-License-Identifier: GPL-2.0-only
// A fresh directory under /tmp, removed with its contents on destruction.
// Under /tmp and short, because AF_UNIX socket paths are limited to 107 bytes.
#pragma once

#include <filesystem>
#include <string>

namespace hps::test {

class TempDir {
public:
	TempDir();
	TempDir(const TempDir&) = delete;
	TempDir& operator=(const TempDir&) = delete;
	~TempDir();

	const std::filesystem::path& path() const noexcept { return path_; }
	std::string operator/(const std::string& name) const { return (path_ / name).string(); }

private:
	std::filesystem::path path_;
};

void write_file(const std::filesystem::path& path, const std::string& text);
std::string read_file(const std::filesystem::path& path);

} // namespace hps::test
