// SPDX-License-Identifier: GPL-2.0-only
#include "tree_snapshot.hpp"

#include "support/temp_dir.hpp"

namespace hps::test {

namespace fs = std::filesystem;

std::map<std::string, std::string> snapshot(const fs::path& root)
{
	std::map<std::string, std::string> tree;
	for (const auto& entry : fs::recursive_directory_iterator(root)) {
		const std::string rel = fs::relative(entry.path(), root).string();
		if (entry.is_symlink())
			tree[rel] = "link " + fs::read_symlink(entry.path()).string();
		else if (entry.is_directory())
			tree[rel] = "dir";
		else
			tree[rel] = "file " + read_file(entry.path());
	}
	return tree;
}

std::string file_at(const std::filesystem::path& root, const std::string& path)
{
	const std::filesystem::path full = root / path;
	if (std::filesystem::is_symlink(full))
		return "link " + std::filesystem::read_symlink(full).string();
	if (!std::filesystem::exists(full))
		return "";
	return read_file(full);
}

} // namespace hps::test
