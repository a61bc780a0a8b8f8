// SPDX-License-Identifier: GPL-2.0-only
// A list of configfs changes made as one: each change carries what it takes
// to undo it, and when one fails, those already made are undone in reverse
// order, so that configfs is left as it was.  Writers compute the list from
// what configfs says now (nvmet_plan.hpp), so every undo is known before the
// first change is made.
#pragma once

#include "export/configfs.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace hpsd::exports {

struct Change {
	enum class Kind : std::uint8_t { make_dir, remove_dir, write, symlink, unlink };

	Kind kind = Kind::write;
	std::string path;  // the directory, attribute or link
	std::string value; // write: the new value; symlink, unlink: the link's target
	// write: the value replaced; nullopt when there was none (an attribute
	// of an item made in the same list, or a plain tree's missing file),
	// so there is nothing to write back.
	std::optional<std::string> old_value;
	// make_dir, remove_dir: the item's default groups (configfs.hpp).
	std::vector<std::string> groups;
	// remove_dir: its attributes (name, value) as they were, written back in
	// this order if the removal is undone; those that a remade item already
	// shows are not written.
	std::vector<std::pair<std::string, std::string>> restore;

	static Change make_dir(std::string dir, std::vector<std::string> groups = {});
	static Change remove_dir(std::string dir, std::vector<std::string> groups = {},
				 std::vector<std::pair<std::string, std::string>> restore = {});
	static Change write(std::string attr, std::string value,
			    std::optional<std::string> old_value);
	static Change symlink(std::string target, std::string link);
	static Change unlink(std::string link, std::string target);
};

// Makes the changes in order.  The error names the change that failed (the
// path and the value) and the reason, and says whether undoing the ones
// before it worked.
hps::Result<void, std::string> apply_changes(Configfs& fs, std::span<const Change> changes);

} // namespace hpsd::exports
