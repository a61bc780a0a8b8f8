// SPDX-License-Identifier: GPL-2.0-only
#include "export/configfs_change.hpp"

namespace hpsd::exports {
namespace {

using Step = hps::Result<void, std::string>;

std::string failed(const char* verb, const FsError& error)
{
	return std::string(verb) + " " + error.message;
}

// The item and its default groups.  `made`: the item was made (not already
// there), also when a group then failed.
Step make_item(Configfs& fs, const Change& change, bool& made)
{
	auto item = fs.make_dir(change.path);
	if (!item.ok())
		return hps::fail(failed("mkdir", item.error()));
	made = item.value();
	for (const auto& group : change.groups)
		if (auto ok = fs.make_dir(change.path + "/" + group); !ok.ok())
			return hps::fail(failed("mkdir", ok.error()));
	return {};
}

Step write(Configfs& fs, const std::string& attr, const std::string& value)
{
	if (auto ok = fs.write(attr, value); !ok.ok())
		return hps::fail("write \"" + value + "\" to " + ok.error().message);
	return {};
}

Step remake_item(Configfs& fs, const Change& change)
{
	bool made = false;
	if (auto ok = make_item(fs, change, made); !ok)
		return ok;
	for (const auto& [name, value] : change.restore) {
		const std::string attr = change.path + "/" + name;
		auto now = fs.read(attr);
		if (now.ok() && now.value() == value)
			continue;
		if (auto ok = write(fs, attr, value); !ok)
			return ok;
	}
	return {};
}

// `undoable`: the change left something to undo.  Only a make_dir can
// fail and still leave something (its item, when a group failed), and one
// of a directory that was already there leaves nothing.
Step forward(Configfs& fs, const Change& change, bool& undoable)
{
	Step ok;
	switch (change.kind) {
	case Change::Kind::make_dir:
		return make_item(fs, change, undoable);
	case Change::Kind::remove_dir:
		if (auto r = fs.remove_dir(change.path); !r.ok())
			ok = hps::fail(failed("rmdir", r.error()));
		break;
	case Change::Kind::write:
		ok = write(fs, change.path, change.value);
		break;
	case Change::Kind::symlink:
		if (auto r = fs.symlink(change.value, change.path); !r.ok())
			ok = hps::fail(failed("symlink", r.error()));
		break;
	case Change::Kind::unlink:
		if (auto r = fs.unlink(change.path); !r.ok())
			ok = hps::fail(failed("unlink", r.error()));
		break;
	}
	undoable = ok.ok();
	return ok;
}

Step backward(Configfs& fs, const Change& change)
{
	switch (change.kind) {
	case Change::Kind::make_dir:
		if (auto ok = fs.remove_dir(change.path); !ok.ok())
			return hps::fail(failed("rmdir", ok.error()));
		return {};
	case Change::Kind::remove_dir:
		return remake_item(fs, change);
	case Change::Kind::write:
		if (!change.old_value)
			return {};
		return write(fs, change.path, *change.old_value);
	case Change::Kind::symlink:
		if (auto ok = fs.unlink(change.path); !ok.ok())
			return hps::fail(failed("unlink", ok.error()));
		return {};
	case Change::Kind::unlink:
		if (auto ok = fs.symlink(change.value, change.path); !ok.ok())
			return hps::fail(failed("symlink", ok.error()));
		return {};
	}
	return {};
}

} // namespace

Change Change::make_dir(std::string dir, std::vector<std::string> groups)
{
	Change c;
	c.kind = Kind::make_dir;
	c.path = std::move(dir);
	c.groups = std::move(groups);
	return c;
}

Change Change::remove_dir(std::string dir, std::vector<std::string> groups,
			  std::vector<std::pair<std::string, std::string>> restore)
{
	Change c;
	c.kind = Kind::remove_dir;
	c.path = std::move(dir);
	c.groups = std::move(groups);
	c.restore = std::move(restore);
	return c;
}

Change Change::write(std::string attr, std::string value, std::optional<std::string> old_value)
{
	Change c;
	c.kind = Kind::write;
	c.path = std::move(attr);
	c.value = std::move(value);
	c.old_value = std::move(old_value);
	return c;
}

Change Change::symlink(std::string target, std::string link)
{
	Change c;
	c.kind = Kind::symlink;
	c.path = std::move(link);
	c.value = std::move(target);
	return c;
}

Change Change::unlink(std::string link, std::string target)
{
	Change c;
	c.kind = Kind::unlink;
	c.path = std::move(link);
	c.value = std::move(target);
	return c;
}

hps::Result<void, std::string> apply_changes(Configfs& fs, std::span<const Change> changes)
{
	std::vector<const Change*> done;
	for (const auto& change : changes) {
		bool undoable = false;
		auto ok = forward(fs, change, undoable);
		if (undoable)
			done.push_back(&change);
		if (ok)
			continue;
		for (auto it = done.rbegin(); it != done.rend(); ++it)
			if (auto undo = backward(fs, **it); !undo)
				return hps::fail(ok.error() +
						 "; undoing the changes before it failed too: " +
						 undo.error() + "; configfs is left part-changed");
		return hps::fail(ok.error() + "; the changes before it were undone");
	}
	return {};
}

} // namespace hpsd::exports
