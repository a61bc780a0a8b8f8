// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/fields.hpp"

namespace hpsctl {

using Json = nlohmann::json;

std::string text(const Json& doc, const char* key)
{
	if (!doc.is_object() || !doc.contains(key))
		return "?";
	const Json& v = doc.at(key);
	if (v.is_null())
		return "-";
	if (v.is_string())
		return v.get<std::string>();
	if (v.is_boolean())
		return v.get<bool>() ? "yes" : "no";
	return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

const Json& member_or_null(const Json& doc, const char* key)
{
	static const Json null_json;
	return doc.is_object() && doc.contains(key) ? doc.at(key) : null_json;
}

std::string names(const Json& list)
{
	if (!list.is_array())
		return "?";
	std::string out;
	for (const auto& item : list)
		out += (out.empty() ? "" : ",") + (item.is_string() ? item.get<std::string>() : item.dump());
	return out.empty() ? "-" : out;
}

} // namespace hpsctl
