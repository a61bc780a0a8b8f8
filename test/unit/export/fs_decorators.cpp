// SPDX-License-Identifier: GPL-2.0-only
#include "fs_decorators.hpp"

#include <cerrno>

namespace hps::test {

FsResult<void> CountingConfigfs::write(const std::string& attr, const std::string& value)
{
	log_.push_back("write " + attr + "=" + value);
	return inner_.write(attr, value);
}

FsResult<bool> CountingConfigfs::make_dir(const std::string& dir)
{
	log_.push_back("mkdir " + dir);
	return inner_.make_dir(dir);
}

FsResult<void> CountingConfigfs::remove_dir(const std::string& dir)
{
	log_.push_back("rmdir " + dir);
	return inner_.remove_dir(dir);
}

FsResult<void> CountingConfigfs::symlink(const std::string& target, const std::string& link)
{
	log_.push_back("symlink " + link + " -> " + target);
	return inner_.symlink(target, link);
}

FsResult<void> CountingConfigfs::unlink(const std::string& link)
{
	log_.push_back("unlink " + link);
	return inner_.unlink(link);
}

std::optional<FsError> FailingConfigfs::next(const std::string& path)
{
	if (fail_at_ && seen_++ == *fail_at_)
		return FsError{EIO, inner_.describe(path) + ": Input/output error"};
	return std::nullopt;
}

FsResult<void> FailingConfigfs::write(const std::string& attr, const std::string& value)
{
	if (auto error = next(attr))
		return hps::fail(*error);
	return inner_.write(attr, value);
}

FsResult<bool> FailingConfigfs::make_dir(const std::string& dir)
{
	if (auto error = next(dir))
		return hps::fail(*error);
	return inner_.make_dir(dir);
}

FsResult<void> FailingConfigfs::remove_dir(const std::string& dir)
{
	if (auto error = next(dir))
		return hps::fail(*error);
	return inner_.remove_dir(dir);
}

FsResult<void> FailingConfigfs::symlink(const std::string& target, const std::string& link)
{
	if (auto error = next(link))
		return hps::fail(*error);
	return inner_.symlink(target, link);
}

FsResult<void> FailingConfigfs::unlink(const std::string& link)
{
	if (auto error = next(link))
		return hps::fail(*error);
	return inner_.unlink(link);
}

} // namespace hps::test
