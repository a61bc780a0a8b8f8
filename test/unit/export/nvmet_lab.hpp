// SPDX-License-Identifier: GPL-2.0-only
// The export tests' bench: a temp dir as configfs root, seen through the
// kernel fake (or not), a failure injector and a change counter, and the
// writer on top.
#pragma once

#include "fs_decorators.hpp"
#include "nvmet_kernel_fake.hpp"
#include "nvmet_sample.hpp"
#include "tree_snapshot.hpp"

#include "export/nvmet_writer.hpp"
#include "support/temp_dir.hpp"

#include <map>
#include <memory>
#include <string>

namespace hps::test {

enum class Tree { kernel, plain };

class NvmetLab {
public:
	explicit NvmetLab(Tree tree = Tree::kernel);

	const std::filesystem::path& root() const { return dir_.path(); }
	std::map<std::string, std::string> snapshot() const { return test::snapshot(root()); }
	// The file's text, or "link <target>", or "" when there is nothing.
	std::string at(const std::string& path) const;

	// The writer's view, and direct access below the counter and the
	// failure injector (to set up others' objects).
	Configfs& below() { return *below_; }
	CountingConfigfs& counter() { return counter_; }
	FailingConfigfs& failer() { return failer_; }
	hpsd::exports::NvmetWriter& writer() { return writer_; }

private:
	TempDir dir_;
	hpsd::exports::PosixConfigfs posix_;
	std::unique_ptr<KernelNvmetConfigfs> kernel_;
	Configfs* below_;
	FailingConfigfs failer_;
	CountingConfigfs counter_;
	hpsd::exports::NvmetWriter writer_;
};

} // namespace hps::test
