// SPDX-License-Identifier: GPL-2.0-only
#include "export/check_text.hpp"

#include <arpa/inet.h>

namespace hpsd::exports {

std::string quoted(std::string_view value)
{
	std::string text = "\"";
	for (char c : value.substr(0, 80))
		text += (c >= ' ' && c <= '~') ? c : '?';
	return text + (value.size() > 80 ? "...\"" : "\"");
}

bool is_address(const std::string& family, const std::string& text)
{
	unsigned char buf[sizeof(struct in6_addr)];
	const int af = family == "ipv4" ? AF_INET : AF_INET6;
	return ::inet_pton(af, text.c_str(), buf) == 1;
}

std::string address_family(std::string_view text)
{
	return text.find(':') == std::string_view::npos ? "ipv4" : "ipv6";
}

hps::Result<void, std::string> check_volume_device(std::uint32_t id, const std::string& device_path)
{
	if (id == 0)
		return hps::fail(std::string("volume id 0 is not a volume id"));
	if (!device_path.starts_with('/') || device_path.find('\n') != std::string::npos)
		return hps::fail("volume " + std::to_string(id) + ": device_path " +
				 quoted(device_path) + " is not an absolute path");
	return {};
}

} // namespace hpsd::exports
