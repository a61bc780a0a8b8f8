// SPDX-License-Identifier: GPL-2.0-only
#include "status/kernel_abi.hpp"

#include <linux/dm-hps.h>

#include <charconv>
#include <fstream>
#include <string>
#include <system_error>

namespace hpsd {
namespace {

// sysfs parameters read as "<decimal>\n".
std::optional<int> read_int_file(const std::filesystem::path& path)
{
	std::ifstream in(path);
	std::string text;
	if (!in || !std::getline(in, text))
		return std::nullopt;
	int value = 0;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
	if (ec != std::errc{} || end != text.data() + text.size())
		return std::nullopt;
	return value;
}

} // namespace

KernelAbi KernelAbiProbe::probe() const
{
	std::error_code ec;
	KernelAbi abi;
	abi.module_loaded = std::filesystem::is_directory(module_dir_, ec);
	if (abi.module_loaded)
		abi.version = read_int_file(module_dir_ / "parameters" / "abi_version");
	return abi;
}

int daemon_abi_version() noexcept
{
	return HPS_ABI_VERSION;
}

bool abi_compatible(const KernelAbi& kernel) noexcept
{
	return kernel.module_loaded && kernel.version == HPS_ABI_VERSION;
}

} // namespace hpsd
