// SPDX-License-Identifier: GPL-2.0-only
#include "config/cluster_id.hpp"

#include <algorithm>

namespace hpsd {
namespace {

constexpr std::size_t uuid_chars = 36;

bool is_dash_at(std::size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

} // namespace

hps::Result<ClusterUuid, std::string> parse_cluster_id(std::string_view text)
{
	ClusterUuid id{};
	std::size_t nibble = 0;
	bool ok = text.size() == uuid_chars;
	for (std::size_t i = 0; ok && i < text.size(); i++) {
		if (is_dash_at(i)) {
			ok = text[i] == '-';
			continue;
		}
		const int v = hex_value(text[i]);
		ok = v >= 0;
		if (ok)
			id[nibble / 2] |= static_cast<std::uint8_t>(nibble % 2 == 0 ? v << 4 : v);
		nibble++;
	}
	if (!ok)
		return hps::fail(std::string("is not a UUID (8-4-4-4-12 hex digits, as uuidgen prints)"));
	if (std::all_of(id.begin(), id.end(), [](std::uint8_t b) { return b == 0; }))
		return hps::fail(std::string("is the nil UUID; choose one with uuidgen"));
	return id;
}

std::string cluster_id_text(const ClusterUuid& id)
{
	static constexpr char digits[] = "0123456789abcdef";
	std::string text;
	for (std::size_t i = 0; i < id.size(); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			text += '-';
		text += digits[id[i] >> 4];
		text += digits[id[i] & 0xf];
	}
	return text;
}

} // namespace hpsd
