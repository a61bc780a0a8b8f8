// SPDX-License-Identifier: GPL-2.0-only
// Configfs decorators for the export tests: one that counts and logs the
// changes a writer makes, one that makes the Nth change fail.
#pragma once

#include "export/configfs.hpp"

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace hps::test {

using hpsd::exports::Configfs;
using hpsd::exports::FsError;
using hpsd::exports::FsResult;

// Passes everything to `inner`; decorators override what they change.
class ForwardingConfigfs : public Configfs {
public:
	explicit ForwardingConfigfs(Configfs& inner) : inner_(inner) {}

	FsResult<bool> exists(const std::string& path) override { return inner_.exists(path); }
	FsResult<std::vector<std::string>> list(const std::string& dir) override
	{
		return inner_.list(dir);
	}
	FsResult<std::string> read(const std::string& attr) override { return inner_.read(attr); }
	FsResult<void> write(const std::string& attr, const std::string& value) override
	{
		return inner_.write(attr, value);
	}
	FsResult<bool> make_dir(const std::string& dir) override { return inner_.make_dir(dir); }
	FsResult<void> remove_dir(const std::string& dir) override
	{
		return inner_.remove_dir(dir);
	}
	FsResult<void> symlink(const std::string& target, const std::string& link) override
	{
		return inner_.symlink(target, link);
	}
	FsResult<void> unlink(const std::string& link) override { return inner_.unlink(link); }
	std::string describe(const std::string& path) const override
	{
		return inner_.describe(path);
	}

protected:
	Configfs& inner_;
};

// Attribute files and the values the kernel shows in them after mkdir.
using KernelDefaults = std::vector<std::pair<const char*, const char*>>;

// What the kernel fakes (nvmet_kernel_fake.hpp, lio_kernel_fake.hpp)
// share: the groups a loaded module shows, refusals as the kernel words
// them, and reading an attribute that may not be there.
class KernelFake : public ForwardingConfigfs {
public:
	// `roots`: the groups the module makes when it is loaded.
	KernelFake(Configfs& inner, std::initializer_list<const char*> roots);

	// A directory that is there: false (EEXIST for a file); a missing
	// parent: ENOENT; else make_item().
	FsResult<bool> make_dir(const std::string& dir) override;
	// rmdir as configfs refuses it whatever the module: not an item (the
	// module's own groups, an item's default groups, anything else):
	// EPERM; missing: ENOENT; a link's target: EBUSY; else remove_item().
	FsResult<void> remove_dir(const std::string& dir) override;

protected:
	using Defaults = KernelDefaults;

	// An item userspace made with mkdir, and so may rmdir.
	virtual bool is_item(const std::string& dir) = 0;
	// Some link in the tree points at dir.
	virtual bool is_link_target(const std::string& dir) = 0;
	// rmdir of an item: the module's own refusals (ENOTEMPTY), then the
	// removal.
	virtual FsResult<void> remove_item(const std::string& dir) = 0;

	// mkdir of a new item: its name checked, then make_with().
	virtual FsResult<bool> make_item(const std::string& dir) = 0;
	// The item, its default groups and its attribute files with the
	// kernel's defaults, as configfs shows them after mkdir.
	FsResult<bool> make_with(const std::string& dir, const std::vector<std::string>& groups,
				 const Defaults* defaults);
	hps::Unexpected<FsError> refuse(int err, const std::string& path) const;
	// The attribute's text, "" when it is not there.
	std::string read_or_empty(const std::string& attr);
};

// Logs every change ("write nvmet/...=value", "mkdir nvmet/...", ...),
// whether it worked or not.
class CountingConfigfs final : public ForwardingConfigfs {
public:
	using ForwardingConfigfs::ForwardingConfigfs;

	FsResult<void> write(const std::string& attr, const std::string& value) override;
	FsResult<bool> make_dir(const std::string& dir) override;
	FsResult<void> remove_dir(const std::string& dir) override;
	FsResult<void> symlink(const std::string& target, const std::string& link) override;
	FsResult<void> unlink(const std::string& link) override;

	std::size_t changes() const noexcept { return log_.size(); }
	const std::vector<std::string>& log() const noexcept { return log_; }
	void clear() { log_.clear(); }

private:
	std::vector<std::string> log_;
};

// Change number `fail_at` (0 = the first from now on) fails with EIO
// without reaching `inner`; the others pass.
class FailingConfigfs final : public ForwardingConfigfs {
public:
	using ForwardingConfigfs::ForwardingConfigfs;

	void fail_at(std::optional<std::size_t> n)
	{
		fail_at_ = n;
		seen_ = 0;
	}

	FsResult<void> write(const std::string& attr, const std::string& value) override;
	FsResult<bool> make_dir(const std::string& dir) override;
	FsResult<void> remove_dir(const std::string& dir) override;
	FsResult<void> symlink(const std::string& target, const std::string& link) override;
	FsResult<void> unlink(const std::string& link) override;

private:
	// The error when this change is the one to fail.
	std::optional<FsError> next(const std::string& path);

	std::optional<std::size_t> fail_at_;
	std::size_t seen_ = 0;
};

} // namespace hps::test
