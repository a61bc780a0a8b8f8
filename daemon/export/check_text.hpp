// SPDX-License-Identifier: GPL-2.0-only
// Text checks and quoting shared by the export states' validate()
// (nvmet_state.hpp, lio_state.hpp).
#pragma once

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

} // namespace hpsd::exports
