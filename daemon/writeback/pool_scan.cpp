// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/pool_scan.hpp"

#include <algorithm>
#include <system_error>

namespace hpsd::writeback {
namespace {

constexpr std::string_view prefix = "hps-pool-";
constexpr std::uint32_t max_pool_id = 255; // HPS_POOL_ID_MAX

} // namespace

std::optional<std::uint32_t> pool_id_of_dm_name(std::string_view name)
{
	if (!name.starts_with(prefix))
		return std::nullopt;
	const std::string_view digits = name.substr(prefix.size());
	if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0'))
		return std::nullopt;
	std::uint32_t id = 0;
	for (char c : digits) {
		if (c < '0' || c > '9')
			return std::nullopt;
		id = id * 10 + static_cast<std::uint32_t>(c - '0');
	}
	if (id > max_pool_id)
		return std::nullopt;
	return id;
}

std::vector<std::uint32_t> scan_pools(const std::filesystem::path& mapper_dir)
{
	std::vector<std::uint32_t> ids;
	std::error_code ec;
	for (const auto& entry : std::filesystem::directory_iterator(mapper_dir, ec))
		if (auto id = pool_id_of_dm_name(entry.path().filename().string()))
			ids.push_back(*id);
	std::sort(ids.begin(), ids.end());
	return ids;
}

} // namespace hpsd::writeback
