// SPDX-License-Identifier: GPL-2.0-only
// Turning hpsd's results into output: JSON for programs, tables for people.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace hpsctl {

// --format json: the result as hpsd sent it, indented, newline-terminated.
std::string render_json(const nlohmann::json& result);

// The `status` result as a key/value table.  Tolerant of missing or
// mistyped fields (an older or newer hpsd): they show as "?".
std::string render_status(const nlohmann::json& status);

// "3d 4h 5m 6s", "59s".
std::string format_duration(std::chrono::seconds duration);

} // namespace hpsctl
