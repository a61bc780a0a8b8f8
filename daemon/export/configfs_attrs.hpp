// SPDX-License-Identifier: GPL-2.0-only
// Reading a configfs item's attributes and groups, shared by the export
// writers' tree readers (nvmet_tree.hpp, lio_tree.hpp) and planners.
#pragma once

#include "export/configfs.hpp"

#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace hpsd::exports {

// Attribute name -> value; an attribute file that is not there (a plain
// tree) has no entry.
using Attrs = std::map<std::string, std::string>;
// Attributes in the order they are written back.
using AttrPairs = std::vector<std::pair<std::string, std::string>>;

// The value of `name`, or nullopt.
std::optional<std::string> attr_of(const Attrs& attrs, const std::string& name);
// The attributes of `order` that `attrs` has, in that order: what to write
// back if the item's removal is undone.
AttrPairs saved_attrs(const Attrs& attrs, std::span<const char* const> order);

// `who` opens every error ("nvmet", "lio"): "<who>: cannot list <path>: ...".
std::string cannot(std::string_view who, const char* what, const FsError& error);
// A directory's names; a default group that is not there (a plain tree) is
// empty.
hps::Result<std::vector<std::string>, std::string> list_group(Configfs& fs, const std::string& dir,
							      std::string_view who);
// The attributes of `names` (relative to dir, "auth/userid" too) that are
// there.
hps::Result<Attrs, std::string> read_attrs(Configfs& fs, const std::string& dir,
					   std::span<const char* const> names, std::string_view who);

} // namespace hpsd::exports
