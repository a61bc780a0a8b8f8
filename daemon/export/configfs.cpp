// SPDX-License-Identifier: GPL-2.0-only
#include "export/configfs.hpp"

#include "util/errno_text.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <system_error>

namespace hpsd::exports {
namespace {

namespace fs = std::filesystem;

// fs/configfs/configfs_internal.h; <linux/magic.h> does not have it.
constexpr unsigned long configfs_magic = 0x62656570;

// An attribute is at most a page; the cap only stops a wrong path (a
// plain tree's big file) from being read whole.
constexpr std::size_t max_attr_bytes = 64 << 10;

hps::Unexpected<FsError> fs_fail(int err, const std::string& what)
{
	return hps::fail(FsError{err, what + ": " + hps::errno_text(err)});
}

bool is_configfs(const std::string& path)
{
	struct statfs st {};
	return ::statfs(path.c_str(), &st) == 0 &&
	       static_cast<unsigned long>(st.f_type) == configfs_magic;
}

// What the kernel does for a configfs item's rmdir, on a plain tree: its
// files and (sub)directories go with it.  A symlink anywhere below keeps it,
// as a link in a default group keeps a configfs item (ENOTEMPTY); that is
// checked first, so a refused removal deletes nothing.
FsResult<void> remove_plain_item(const std::string& dir)
{
	std::error_code ec;
	for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
	     it.increment(ec)) {
		const auto type = it->symlink_status(ec).type();
		if (ec)
			break;
		if (type != fs::file_type::regular && type != fs::file_type::directory)
			return fs_fail(ENOTEMPTY, dir);
	}
	if (ec)
		return fs_fail(ec.value(), dir);
	fs::remove_all(dir, ec);
	if (ec)
		return fs_fail(ec.value(), dir);
	return {};
}

} // namespace

PosixConfigfs::PosixConfigfs(std::string root) : root_(std::move(root))
{}

std::string PosixConfigfs::full(const std::string& path) const
{
	return path.empty() ? root_ : root_ + "/" + path;
}

std::string PosixConfigfs::describe(const std::string& path) const
{
	return full(path);
}

FsResult<bool> PosixConfigfs::exists(const std::string& path)
{
	struct stat st {};
	if (::lstat(full(path).c_str(), &st) == 0)
		return true;
	if (errno == ENOENT || errno == ENOTDIR)
		return false;
	return fs_fail(errno, full(path));
}

FsResult<std::vector<std::string>> PosixConfigfs::list(const std::string& dir)
{
	std::vector<std::string> names;
	std::error_code ec;
	for (fs::directory_iterator it(full(dir), ec), end; !ec && it != end; it.increment(ec))
		names.push_back(it->path().filename().string());
	if (ec)
		return fs_fail(ec.value(), full(dir));
	std::sort(names.begin(), names.end());
	return names;
}

FsResult<std::string> PosixConfigfs::read(const std::string& attr)
{
	const std::string path = full(attr);
	hps::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd.valid())
		return fs_fail(errno, path);
	std::string text;
	std::array<char, 4096> buf{};
	for (;;) {
		const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fs_fail(errno, path);
		if (n == 0)
			break;
		text.append(buf.data(), static_cast<std::size_t>(n));
		if (text.size() > max_attr_bytes)
			return fs_fail(EFBIG, path);
	}
	if (!text.empty() && text.back() == '\n')
		text.pop_back();
	return text;
}

FsResult<void> PosixConfigfs::write(const std::string& attr, const std::string& value)
{
	const std::string path = full(attr);
	// O_CREAT for a plain tree; on configfs the attribute is always there.
	hps::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
	if (!fd.valid())
		return fs_fail(errno, path);
	ssize_t n = 0;
	do
		n = ::write(fd.get(), value.data(), value.size());
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return fs_fail(errno, path);
	if (static_cast<std::size_t>(n) != value.size())
		return fs_fail(EIO, path);
	return {};
}

FsResult<bool> PosixConfigfs::make_dir(const std::string& dir)
{
	const std::string path = full(dir);
	if (::mkdir(path.c_str(), 0755) == 0)
		return true;
	const int err = errno;
	struct stat st {};
	if (err == EEXIST && ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
		return false;
	return fs_fail(err, path);
}

FsResult<void> PosixConfigfs::remove_dir(const std::string& dir)
{
	const std::string path = full(dir);
	if (!is_configfs(path))
		return remove_plain_item(path);
	if (::rmdir(path.c_str()) != 0)
		return fs_fail(errno, path);
	return {};
}

FsResult<void> PosixConfigfs::symlink(const std::string& target, const std::string& link)
{
	if (::symlink(full(target).c_str(), full(link).c_str()) != 0)
		return fs_fail(errno, full(link) + " -> " + full(target));
	return {};
}

FsResult<void> PosixConfigfs::unlink(const std::string& link)
{
	const std::string path = full(link);
	// Only links: on a plain tree unlink(2) would take an attribute file
	// too, which configfs never lets go (EPERM).
	struct stat st {};
	if (::lstat(path.c_str(), &st) != 0)
		return fs_fail(errno, path);
	if (!S_ISLNK(st.st_mode))
		return fs_fail(EPERM, path);
	if (::unlink(path.c_str()) != 0)
		return fs_fail(errno, path);
	return {};
}

} // namespace hpsd::exports
