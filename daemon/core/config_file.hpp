// SPDX-License-Identifier: GPL-2.0-only
// Reading the config file from disk; parsing is parse_config()'s job.
#pragma once

#include "config/config.hpp"

#include <string>
#include <vector>

namespace hpsd {

// Each error is a complete line for stderr:
//   config /etc/hps/hpsd.json: field "log_level": "loud" is not one of error, warn, info, debug
// With replication peers listed, the cluster secret file is checked too
// (readable, 16..1024 bytes, no access for group and others).
hps::Result<Config, std::vector<std::string>> load_config_file(const std::string& path,
							       std::string_view default_node_name);

// This host's name (the default node_name), or "localhost" if it has none.
std::string host_name();

} // namespace hpsd
