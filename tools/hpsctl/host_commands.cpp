// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/host_commands.hpp"

#include "hpsctl/fields.hpp"
#include "hpsctl/table.hpp"

namespace hpsctl {
namespace {

using Json = nlohmann::json;

// The apply error hpsd reports with an attach or detach, as a warning.
std::string export_warning(const Json& result)
{
	if (!member_or_null(result, "export_error").is_string())
		return "";
	return "warning: export not updated: " + text(result, "export_error") +
	       " (kept; applied with the next change)\n";
}

} // namespace

hps::Result<HostRequest, std::string> host_request(const RunCommand& command)
{
	switch (command.id) {
	case CommandId::host_list:
		return HostRequest{"host.list", Json::object()};
	case CommandId::host_remove:
		return HostRequest{"host.remove", Json{{"name", command.operands.at(0)}}};
	case CommandId::host_add: {
		if (!command.options.contains("--nqn"))
			return hps::fail(std::string(
				"--nqn is required (the host's NVMe host NQN: cat /etc/nvme/hostnqn on it)"));
		Json params{{"name", command.operands.at(0)}, {"nqn", option(command, "--nqn")}};
		if (command.options.contains("--iqn"))
			params["iqn"] = option(command, "--iqn");
		if (command.options.contains("--chap-secret"))
			params["chap_secret"] = option(command, "--chap-secret");
		return HostRequest{"host.add", params};
	}
	case CommandId::volume_attach:
	case CommandId::volume_detach:
		if (!command.options.contains("--host"))
			return hps::fail(std::string("--host is required (see 'hpsctl host list')"));
		return HostRequest{command.id == CommandId::volume_attach ? "volume.attach"
									  : "volume.detach",
				   Json{{"name", command.operands.at(0)},
					{"host", option(command, "--host")}}};
	default:
		return hps::fail(command.name + " is not a host command");
	}
}

std::string render_host_list(const Json& result)
{
	const Json& hosts = member_or_null(result, "hosts");
	if (!hosts.is_array() || hosts.empty())
		return "no hosts\n";
	ColumnTable table({"NAME", "NQN", "IQN", "CHAP", "VOLUMES"});
	for (const auto& h : hosts)
		table.add({text(h, "name"), text(h, "nqn"), text(h, "iqn"), text(h, "chap"),
			   names(member_or_null(h, "volumes"))});
	return table.str();
}

std::string render_host_added(const Json& result)
{
	const Json& host = member_or_null(result, "host");
	if (member_or_null(result, "added") != true)
		return "host " + text(host, "name") + " exists already as given\n";
	return "added host " + text(host, "name") + " (" + text(host, "nqn") + ")\n";
}

std::string render_host_removed(const Json& result)
{
	return "removed host " + text(result, "removed") + "\n";
}

std::string render_volume_attached(const Json& result)
{
	const std::string what = "volume " + text(result, "name") + " to host " + text(result, "host");
	return (member_or_null(result, "attached") == true ? "attached " + what
							   : what + ": attached already") +
	       "\n" + export_warning(result);
}

std::string render_volume_detached(const Json& result)
{
	const std::string what = "volume " + text(result, "name") + " from host " + text(result, "host");
	return (member_or_null(result, "detached") == true ? "detached " + what
							   : what + ": not attached") +
	       "\n" + export_warning(result);
}

namespace {

// A volume's iSCSI export: its target, state and portals.
void iscsi_rows(const Json& iscsi, std::vector<std::pair<std::string, std::string>>& rows)
{
	if (!iscsi.is_object())
		return;
	rows.emplace_back("iqn", text(iscsi, "iqn"));
	rows.emplace_back("iscsi", member_or_null(iscsi, "exported") == true
					   ? "exported, ALUA " + text(iscsi, "alua_state") + " (TPG " +
						     text(iscsi, "tpg_tag") + ")"
					   : "not exported");
	const Json& portals = member_or_null(iscsi, "portals");
	if (portals.is_array() && member_or_null(iscsi, "exported") == true)
		for (const auto& p : portals)
			rows.emplace_back("portal", text(p, "address") + ":" + text(p, "port"));
}

} // namespace

std::vector<std::pair<std::string, std::string>> volume_export_rows(const Json& volume)
{
	const Json& e = member_or_null(volume, "export");
	if (!e.is_object())
		return {};
	std::vector<std::pair<std::string, std::string>> rows;
	rows.emplace_back("nqn", text(e, "nqn"));
	rows.emplace_back("hosts", names(member_or_null(e, "hosts")));
	std::string state;
	// "nvme" is missing from an hpsd without iSCSI: there "enabled" is nvme's.
	if (member_or_null(e, "enabled") != true || member_or_null(e, "nvme") == false)
		state = "off (no export.nvme in hpsd.json)";
	else if (member_or_null(e, "exported") == true)
		state = "exported, ANA " + text(e, "ana_state");
	else
		state = "not exported";
	rows.emplace_back("export", state);
	const Json& ports = member_or_null(e, "ports");
	if (ports.is_array())
		for (const auto& p : ports)
			rows.emplace_back("path", text(p, "transport") + " " + text(p, "address") + ":" +
							  text(p, "service") + " (port " + text(p, "id") +
							  "): " + text(p, "ana_state"));
	iscsi_rows(member_or_null(e, "iscsi"), rows);
	if (member_or_null(e, "last_error").is_string())
		rows.emplace_back("export error", text(e, "last_error"));
	return rows;
}

std::string export_status_text(const Json& status)
{
	const Json& e = member_or_null(status, "export");
	if (!e.is_object())
		return "?";
	if (member_or_null(e, "enabled") != true)
		return "off (no export.nvme or export.iscsi in the config)";
	std::string line;
	if (member_or_null(e, "nvme") != false) {
		const Json& ports = member_or_null(e, "ports");
		line = "nvme on " + std::to_string(ports.is_array() ? ports.size() : 0) + " ports, ";
	}
	const Json& iscsi = member_or_null(e, "iscsi");
	if (iscsi.is_object()) {
		const Json& portals = member_or_null(iscsi, "portals");
		line += "iscsi on " + std::to_string(portals.is_array() ? portals.size() : 0) +
			" portals (TPG " + text(iscsi, "tpg_tag") + "), ";
	}
	line += text(e, "hosts") + " hosts";
	if (member_or_null(e, "last_error").is_string())
		line += "; last apply failed: " + text(e, "last_error");
	return line;
}

} // namespace hpsctl
