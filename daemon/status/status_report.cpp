// SPDX-License-Identifier: GPL-2.0-only
#include "status/status_report.hpp"

#include "util/version.hpp"

namespace hpsd {

nlohmann::json build_status(const StatusInputs& in)
{
	using Json = nlohmann::json;
	Json kernel_version = in.kernel.version ? Json(*in.kernel.version) : Json(nullptr);
	return Json{
		{"node", in.config.node_name},
		{"version", hps::version},
		{"pid", in.pid},
		{"uptime_s", in.uptime.count()},
		{"config_path", in.config_path},
		{"abi",
		 {{"daemon", daemon_abi_version()},
		  {"kernel", kernel_version},
		  {"module_loaded", in.kernel.module_loaded},
		  {"compatible", abi_compatible(in.kernel)}}},
		{"channel",
		 {{"device", in.channel.device},
		  {"attached", in.channel.attached},
		  {"error", in.channel.attached ? Json(nullptr) : Json(in.channel.error)},
		  {"pools_at_attach", in.channel.nr_pools},
		  {"volumes_at_attach", in.channel.nr_volumes},
		  {"requests_served", in.channel.requests_served},
		  {"requests_failed", in.channel.requests_failed},
		  {"protocol_errors", in.channel.protocol_errors}}},
		{"cache_disks", in.config.cache_disks},
		{"replication",
		 {{"transport", to_string(in.config.replication.transport)},
		  {"listen", to_string(in.config.replication.listen)}}},
	};
}

} // namespace hpsd
