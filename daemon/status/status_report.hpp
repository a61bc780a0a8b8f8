// SPDX-License-Identifier: GPL-2.0-only
// The result of the control API's `status` method (daemon/PROTOCOL.md).
// Built by a pure function from a snapshot of its inputs, so it is tested
// without a daemon, a clock or a kernel.
#pragma once

#include "config/config.hpp"
#include "status/kernel_abi.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace hpsd {

struct StatusInputs {
	const Config& config;
	const std::string& config_path;
	long pid;
	std::chrono::seconds uptime;
	KernelAbi kernel;
};

nlohmann::json build_status(const StatusInputs& in);

} // namespace hpsd
