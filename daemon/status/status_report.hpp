// SPDX-License-Identifier: GPL-2.0-only
// The result of the control API's `status` method (daemon/PROTOCOL.md).
// Built by a pure function from a snapshot of its inputs, so it is tested
// without a daemon, a clock or a kernel.
#pragma once

#include "config/config.hpp"
#include "status/kernel_abi.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace hpsd {

// The kernel channel as the status reports it (channel/kernel_channel.hpp).
struct ChannelStatus {
	std::string device;
	bool attached = false;
	std::string error;	// why not attached; empty when attached
	unsigned nr_pools = 0;	// as the module said at attach
	unsigned nr_volumes = 0;
	std::uint64_t requests_served = 0; // answered with success, since hpsd started
	std::uint64_t requests_failed = 0; // answered with an error
	std::uint64_t protocol_errors = 0; // commands the module refused, bad descriptors
};

struct StatusInputs {
	const Config& config;
	const std::string& config_path;
	long pid;
	std::chrono::seconds uptime;
	KernelAbi kernel;
	ChannelStatus channel;
};

nlohmann::json build_status(const StatusInputs& in);

} // namespace hpsd
