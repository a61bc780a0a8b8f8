// SPDX-License-Identifier: GPL-2.0-only
// Naming JSON values in one-line error messages (config and control API).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace hps {

// Compact JSON text; invalid UTF-8 in strings that came from outside is
// replaced instead of making nlohmann throw.
std::string dump_json(const nlohmann::json& value);

// A value as it should appear in a message: scalars compact and cut short
// when long (an error must never echo a megabyte back); arrays and objects
// only by kind, because they may be nested arbitrarily deep and printing
// them is recursive.
std::string describe_value(const nlohmann::json& value);

// The text of a nlohmann error, without the "[json.exception.parse_error.101] "
// tag (it means nothing to an operator) and cut short when long.
std::string json_error_text(const nlohmann::json::exception& e);

} // namespace hps
