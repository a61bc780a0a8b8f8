// SPDX-License-Identifier: GPL-2.0-only
#include "export/configfs_attrs.hpp"

#include <cerrno>

namespace hpsd::exports {

std::optional<std::string> attr_of(const Attrs& attrs, const std::string& name)
{
	auto it = attrs.find(name);
	if (it == attrs.end())
		return std::nullopt;
	return it->second;
}

AttrPairs saved_attrs(const Attrs& attrs, std::span<const char* const> order)
{
	AttrPairs pairs;
	for (const char* name : order)
		if (auto value = attr_of(attrs, name))
			pairs.emplace_back(name, *value);
	return pairs;
}

std::string cannot(std::string_view who, const char* what, const FsError& error)
{
	return std::string(who) + ": cannot " + what + " " + error.message;
}

hps::Result<std::vector<std::string>, std::string> list_group(Configfs& fs, const std::string& dir,
							      std::string_view who)
{
	auto names = fs.list(dir);
	if (names.ok())
		return std::move(names).value();
	if (names.error().code == ENOENT)
		return std::vector<std::string>{};
	return hps::fail(cannot(who, "list", names.error()));
}

hps::Result<Attrs, std::string> read_attrs(Configfs& fs, const std::string& dir,
					   std::span<const char* const> names, std::string_view who)
{
	Attrs attrs;
	for (const char* name : names) {
		auto value = fs.read(dir + "/" + name);
		if (value.ok())
			attrs.emplace(name, std::move(value).value());
		else if (value.error().code != ENOENT)
			return hps::fail(cannot(who, "read", value.error()));
	}
	return attrs;
}

} // namespace hpsd::exports
