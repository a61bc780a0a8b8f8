// SPDX-License-Identifier: GPL-2.0-only
// Reading hpsd's results for the tables: tolerant of missing or mistyped
// members (an older or newer hpsd), which show as "?" rather than throw.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace hpsctl {

// A member as text: strings bare, null "-", booleans yes/no, missing "?".
std::string text(const nlohmann::json& doc, const char* key);
// The member, or null when `doc` is not an object or lacks it.
const nlohmann::json& member_or_null(const nlohmann::json& doc, const char* key);
// A list of names "a,b"; "-" when empty, "?" when not a list.
std::string names(const nlohmann::json& list);

} // namespace hpsctl
