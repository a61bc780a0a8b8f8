// SPDX-License-Identifier: GPL-2.0-only
// "host:port" as written in the config: an IPv4 address or host name, or a
// bracketed IPv6 address ("[::]:7790").  Resolving the host is left to the
// transport that binds it; this only checks the spelling.
#pragma once

#include "util/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace hpsd {

struct ListenAddress {
	std::string host; // without brackets
	std::uint16_t port = 0;

	bool operator==(const ListenAddress&) const = default;
};

// The error completes a sentence about the value: "is not host:port", ...
hps::Result<ListenAddress, std::string> parse_listen_address(std::string_view text);
std::string to_string(const ListenAddress& address);

} // namespace hpsd
