// SPDX-License-Identifier: GPL-2.0-only
// hpsctl host add|list|remove and volume attach|detach: their request
// params and their tables.
#pragma once

#include "hpsctl/cli.hpp"
#include "util/result.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace hpsctl {

// The hpsd method and params of one of these commands, or a one-line
// error about the command line (exit 2).
struct HostRequest {
	std::string method;
	nlohmann::json params;
};
hps::Result<HostRequest, std::string> host_request(const RunCommand& command);

std::string render_host_list(const nlohmann::json& result);
std::string render_host_added(const nlohmann::json& result);
std::string render_host_removed(const nlohmann::json& result);
std::string render_volume_attached(const nlohmann::json& result);
std::string render_volume_detached(const nlohmann::json& result);
// volume show's export lines: (key, value) pairs for its table.
std::vector<std::pair<std::string, std::string>> volume_export_rows(const nlohmann::json& volume);
// status's export line.
std::string export_status_text(const nlohmann::json& status);

} // namespace hpsctl
