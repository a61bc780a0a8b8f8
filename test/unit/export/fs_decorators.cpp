// SPDX-License-Identifier: GPL-2.0-only
#include "fs_decorators.hpp"

#include "util/errno_text.hpp"

#include <cerrno>

namespace hps::test {

KernelFake::KernelFake(Configfs& inner, std::initializer_list<const char*> roots)
	: ForwardingConfigfs(inner)
{
	for (const char* dir : roots)
		(void)inner_.make_dir(dir);
}

hps::Unexpected<FsError> KernelFake::refuse(int err, const std::string& path) const
{
	return hps::fail(FsError{err, describe(path) + ": " + hps::errno_text(err)});
}

FsResult<bool> KernelFake::make_dir(const std::string& dir)
{
	if (auto there = inner_.exists(dir); there.ok() && *there)
		return inner_.make_dir(dir); // false, or EEXIST for a file
	const std::string parent = dir.substr(0, dir.rfind('/'));
	if (auto up = inner_.exists(parent); parent != dir && up.ok() && !*up)
		return refuse(ENOENT, dir);
	return make_item(dir);
}

FsResult<void> KernelFake::remove_dir(const std::string& dir)
{
	if (!is_item(dir))
		return refuse(EPERM, dir);
	if (auto there = inner_.exists(dir); there.ok() && !*there)
		return refuse(ENOENT, dir);
	if (is_link_target(dir))
		return refuse(EBUSY, dir);
	return remove_item(dir);
}

FsResult<bool> KernelFake::make_with(const std::string& dir, const std::vector<std::string>& groups,
				     const Defaults* defaults)
{
	auto made = inner_.make_dir(dir);
	if (!made.ok())
		return made;
	for (const auto& group : groups)
		(void)inner_.make_dir(dir + "/" + group);
	if (defaults)
		for (const auto& [name, value] : *defaults)
			(void)inner_.write(dir + "/" + name, value);
	return true;
}

std::string KernelFake::read_or_empty(const std::string& attr)
{
	auto value = inner_.read(attr);
	return value.ok() ? value.value() : std::string();
}

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
