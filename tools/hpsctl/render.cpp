// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/render.hpp"

#include "hpsctl/host_commands.hpp"
#include "hpsctl/table.hpp"

namespace hpsctl {
namespace {

using Json = nlohmann::json;

// The value at a JSON pointer, as text: strings bare, null as "-",
// missing as "?".
std::string text_at(const Json& doc, const char* pointer)
{
	Json::json_pointer ptr(pointer);
	if (!doc.contains(ptr))
		return "?";
	const Json& value = doc.at(ptr);
	if (value.is_null())
		return "-";
	if (value.is_string())
		return value.get<std::string>();
	if (value.is_boolean())
		return value.get<bool>() ? "yes" : "no";
	return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string kernel_abi_text(const Json& status)
{
	Json::json_pointer loaded("/abi/module_loaded");
	if (status.contains(loaded) && status.at(loaded) == false)
		return "- (dm_hps not loaded)";
	return text_at(status, "/abi/kernel");
}

// "attached (/dev/hps-channel)" or "not attached: <why>".
std::string channel_text(const Json& status)
{
	Json::json_pointer attached("/channel/attached");
	if (!status.contains(attached))
		return "?";
	if (status.at(attached) == true)
		return "attached (" + text_at(status, "/channel/device") + ")";
	return "not attached: " + text_at(status, "/channel/error");
}

std::string list_text(const Json& doc, const char* pointer)
{
	Json::json_pointer ptr(pointer);
	if (!doc.contains(ptr) || !doc.at(ptr).is_array())
		return "?";
	std::string text;
	for (const auto& item : doc.at(ptr))
		text += (text.empty() ? "" : ", ") +
			(item.is_string() ? item.get<std::string>() : item.dump());
	return text.empty() ? "none" : text;
}

} // namespace

std::string render_json(const nlohmann::json& result)
{
	return result.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string format_duration(std::chrono::seconds duration)
{
	auto s = duration.count();
	if (s < 0)
		return "?";
	constexpr long long units[] = {86400, 3600, 60, 1};
	constexpr const char* names[] = {"d", "h", "m", "s"};
	std::string text;
	for (std::size_t i = 0; i < 4; ++i) {
		auto n = s / units[i];
		s %= units[i];
		if (n > 0 || (text.empty() && i == 3))
			text += (text.empty() ? "" : " ") + std::to_string(n) + names[i];
	}
	return text;
}

std::string render_status(const nlohmann::json& status)
{
	KeyValueTable table;
	table.add("node", text_at(status, "/node"));
	table.add("version", text_at(status, "/version"));
	table.add("pid", text_at(status, "/pid"));
	Json::json_pointer uptime("/uptime_s");
	bool has_uptime = status.contains(uptime) && status.at(uptime).is_number_integer();
	table.add("uptime", has_uptime ? format_duration(std::chrono::seconds(
						 status.at(uptime).get<long long>()))
				       : "?");
	table.add("config", text_at(status, "/config_path"));
	table.add("module loaded", text_at(status, "/abi/module_loaded"));
	table.add("abi daemon", text_at(status, "/abi/daemon"));
	table.add("abi kernel", kernel_abi_text(status));
	table.add("abi compatible", text_at(status, "/abi/compatible"));
	table.add("kernel channel", channel_text(status));
	table.add("cache disks", list_text(status, "/cache_disks"));
	table.add("replication", text_at(status, "/replication/transport") + ", listening on " +
					 text_at(status, "/replication/listen"));
	if (status.contains("export"))
		table.add("export", export_status_text(status));
	return table.str();
}

} // namespace hpsctl
