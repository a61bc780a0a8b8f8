// SPDX-License-Identifier: GPL-2.0-only
// What hpsd knows about the dm-hps module in the running kernel: whether it
// is loaded and which ABI version it speaks.  Read afresh on every call, as
// the module may be loaded or replaced while hpsd runs.
#pragma once

#include <filesystem>
#include <optional>

namespace hpsd {

// The module's sysfs directory; tests point the probe elsewhere.
inline constexpr const char* default_sysfs_module_dir = "/sys/module/dm_hps";

struct KernelAbi {
	bool module_loaded = false;
	std::optional<int> version; // none when not loaded or unreadable
};

class KernelAbiProbe {
public:
	explicit KernelAbiProbe(std::filesystem::path module_dir = default_sysfs_module_dir)
		: module_dir_(std::move(module_dir))
	{
	}

	KernelAbi probe() const;

private:
	std::filesystem::path module_dir_;
};

// The ABI version this hpsd was built against (HPS_ABI_VERSION).
int daemon_abi_version() noexcept;

// hpsd can drive the module only when both speak the same version.
bool abi_compatible(const KernelAbi& kernel) noexcept;

} // namespace hpsd
