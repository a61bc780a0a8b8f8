// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/channel_fd.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <string>
#include <system_error>

namespace hpsd::writeback {

std::optional<int> find_channel_fd(const std::filesystem::path& device)
{
	struct stat want {};
	if (::stat(device.c_str(), &want) != 0 || !S_ISCHR(want.st_mode))
		return std::nullopt;
	std::error_code ec;
	for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
		std::error_code link_ec;
		const auto target = std::filesystem::read_symlink(entry.path(), link_ec);
		if (link_ec || target != device)
			continue;
		char* end = nullptr;
		const std::string name = entry.path().filename().string();
		const long fd = std::strtol(name.c_str(), &end, 10);
		if (end == name.c_str() || *end != '\0' || fd < 0)
			continue;
		struct stat have {};
		if (::fstat(static_cast<int>(fd), &have) == 0 && S_ISCHR(have.st_mode) &&
		    have.st_rdev == want.st_rdev)
			return static_cast<int>(fd);
	}
	return std::nullopt;
}

} // namespace hpsd::writeback
