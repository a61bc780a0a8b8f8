// SPDX-License-Identifier: GPL-2.0-only
#include "nvmet_lab.hpp"

#include <filesystem>

namespace hps::test {

namespace fs = std::filesystem;
using namespace hpsd::exports;

NvmetLab::NvmetLab(Tree tree)
	: posix_(dir_.path().string()),
	  kernel_(tree == Tree::kernel ? std::make_unique<KernelNvmetConfigfs>(posix_) : nullptr),
	  below_(kernel_ ? static_cast<Configfs*>(kernel_.get()) : &posix_), failer_(*below_),
	  counter_(failer_), writer_(counter_)
{
	if (tree == Tree::plain)
		for (const char* dir : {"nvmet", "nvmet/subsystems", "nvmet/ports", "nvmet/hosts"})
			fs::create_directory(dir_.path() / dir);
}

std::string NvmetLab::at(const std::string& path) const
{
	return file_at(root(), path);
}

} // namespace hps::test
