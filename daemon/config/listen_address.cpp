// SPDX-License-Identifier: GPL-2.0-only
#include "config/listen_address.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace hpsd {
namespace {

bool is_host_char(char c)
{
	return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

bool is_ipv6_char(char c)
{
	return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

} // namespace

hps::Result<ListenAddress, std::string> parse_listen_address(std::string_view text)
{
	using hps::fail;
	ListenAddress address;
	std::string_view port;

	if (text.starts_with('[')) {
		auto close = text.find(']');
		if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
			return fail(std::string("is not [ipv6]:port"));
		auto host = text.substr(1, close - 1);
		if (host.empty() || !std::all_of(host.begin(), host.end(), is_ipv6_char))
			return fail(std::string("does not hold an IPv6 address between the brackets"));
		address.host = host;
		port = text.substr(close + 2);
	} else {
		auto colon = text.rfind(':');
		if (colon == std::string_view::npos)
			return fail(std::string("is not host:port"));
		auto host = text.substr(0, colon);
		if (host.find(':') != std::string_view::npos)
			return fail(std::string("is not host:port (write an IPv6 address as [addr]:port)"));
		if (host.empty() || !std::all_of(host.begin(), host.end(), is_host_char))
			return fail(std::string("does not start with a host name or IPv4 address"));
		address.host = host;
		port = text.substr(colon + 1);
	}

	unsigned value = 0;
	auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
	if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value < 1 ||
	    value > 65535)
		return fail(std::string("does not end with a port 1..65535"));
	address.port = static_cast<std::uint16_t>(value);
	return address;
}

std::string to_string(const ListenAddress& address)
{
	bool ipv6 = address.host.find(':') != std::string::npos;
	return (ipv6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

} // namespace hpsd
