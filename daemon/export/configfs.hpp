// SPDX-License-Identifier: GPL-2.0-only
// The few configfs operations the export writers need, behind an interface
// so that a writer runs unchanged on the kernel's configfs and, in tests, on
// a plain directory tree (with decorators on top that count writes, inject
// failures or enforce the kernel's rules).
//
// Paths are relative to the root ("nvmet/ports/1/addr_traddr"), '/'
// separated; errors name the full path.
//
// configfs is not a plain tree, and the seam bridges the two so that one
// writer fits both:
// - mkdir of a configfs item makes its attribute files and default groups
//   (subsystems/<nqn>/namespaces, ports/<id>/ana_groups/1, ...) appear; a
//   plain mkdir makes an empty directory.  So make_dir reports a directory
//   that is already there as false rather than EEXIST, and a writer calls it
//   for the default groups it uses right after making an item: a no-op on
//   configfs, the same shape on a plain tree.  A writer writes every
//   attribute it cares about, so a missing attribute file is just a value
//   to write.
// - rmdir of a configfs item succeeds while it still shows attribute files
//   and empty default groups, which can never be unlinked; a plain
//   directory must be emptied first.  remove_dir asks the file system
//   (statfs) which one it is on, rather than taking a flag, so that nothing
//   can point the kernel's behaviour at a plain tree or the other way round.
#pragma once

#include "util/result.hpp"

#include <string>
#include <vector>

namespace hpsd::exports {

struct FsError {
	int code = 0;        // errno
	std::string message; // "<full path>: <strerror>"
};

template <class T>
using FsResult = hps::Result<T, FsError>;

class Configfs {
public:
	virtual ~Configfs() = default;

	// Whether anything (file, directory, symlink) is at path.
	virtual FsResult<bool> exists(const std::string& path) = 0;
	// The names in a directory, sorted, without "." and "..".
	virtual FsResult<std::vector<std::string>> list(const std::string& dir) = 0;
	// An attribute's text without its trailing newline.
	virtual FsResult<std::string> read(const std::string& attr) = 0;
	// The whole value in one write(2): configfs stores what one write brings.
	virtual FsResult<void> write(const std::string& attr, const std::string& value) = 0;
	// True: made; false: it was already there (see above).
	virtual FsResult<bool> make_dir(const std::string& dir) = 0;
	// An item with its attributes and default groups (see above).
	virtual FsResult<void> remove_dir(const std::string& dir) = 0;
	// A link at `link` to `target`, both relative to the root.
	virtual FsResult<void> symlink(const std::string& target, const std::string& link) = 0;
	virtual FsResult<void> unlink(const std::string& link) = 0;

	// The full path, for messages.
	virtual std::string describe(const std::string& path) const = 0;
};

inline constexpr const char* default_configfs_root = "/sys/kernel/config";

// The real thing: POSIX calls under `root`.
class PosixConfigfs final : public Configfs {
public:
	explicit PosixConfigfs(std::string root = default_configfs_root);

	FsResult<bool> exists(const std::string& path) override;
	FsResult<std::vector<std::string>> list(const std::string& dir) override;
	FsResult<std::string> read(const std::string& attr) override;
	FsResult<void> write(const std::string& attr, const std::string& value) override;
	FsResult<bool> make_dir(const std::string& dir) override;
	FsResult<void> remove_dir(const std::string& dir) override;
	FsResult<void> symlink(const std::string& target, const std::string& link) override;
	FsResult<void> unlink(const std::string& link) override;
	std::string describe(const std::string& path) const override;

private:
	std::string full(const std::string& path) const;

	std::string root_;
};

} // namespace hpsd::exports
