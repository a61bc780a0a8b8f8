// SPDX-License-Identifier: GPL-2.0-only
// Text checks and quoting shared by the export states' validate()
// (nvmet_state.hpp, lio_state.hpp).
#pragma once

#include "util/result.hpp"

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>

namespace hpsd::exports {

// A value in an error: quoted, cut short so that one line stays one line.
std::string quoted(std::string_view value);
// An address of the family ("ipv4", "ipv6") as inet_pton(3) reads it.
bool is_address(const std::string& family, const std::string& text);
// "ipv6" when `text` has a colon, else "ipv4": the config accepts IP
// addresses only.
std::string address_family(std::string_view text);

// A volume's id (not 0) and its device path (absolute, one line): "volume
// <id>: device_path \"x\" is not an absolute path".
hps::Result<void, std::string> check_volume_device(std::uint32_t id, const std::string& device_path);

// Checks every item with `check`, then that no two have the same `id`:
// "<what> <id>: id is given twice".  The first problem, or nothing.
template <class Item, class Check>
hps::Result<void, std::string> check_ids_once(std::span<const Item> items, const char* what,
					      Check check)
{
	std::set<std::uint64_t> ids;
	for (const Item& item : items) {
		if (auto ok = check(item); !ok)
			return ok;
		if (!ids.insert(item.id).second)
			return hps::fail(std::string(what) + " " + std::to_string(item.id) +
					 ": id is given twice");
	}
	return {};
}

} // namespace hpsd::exports
