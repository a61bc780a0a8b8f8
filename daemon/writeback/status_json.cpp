// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/status_json.hpp"

namespace hpsd::writeback {

nlohmann::json status_json(const EngineStatus& status)
{
	nlohmann::json pools = nlohmann::json::array();
	for (const auto& p : status.pools) {
		pools.push_back({
			{"pool_id", p.pool_id},
			{"dirty_blocks", p.dirty_blocks},
			{"total_blocks", p.total_blocks},
			{"held_blocks", p.held_blocks},
			{"ios_in_flight", p.ios_in_flight},
			{"pressure", std::string(to_string(p.pressure))},
			{"throttle_us", p.throttle_us},
			{"backing_off", p.backing_off},
			{"retry_in_ms", p.retry_in.count()},
			{"bytes_written", p.bytes_written},
			{"blocks_cleaned", p.blocks_cleaned},
			{"blocks_kept", p.blocks_kept},
			{"errors", p.errors},
			{"last_errno", -p.last_error},
		});
	}
	return {
		{"bytes_written", status.bytes_written},
		{"bytes_per_s", status.bytes_per_s},
		{"rate_limit_bytes_per_s", status.rate_limit_bytes_per_s},
		{"drains_active", status.drains_active},
		{"pools", std::move(pools)},
	};
}

nlohmann::json drain_json(const DrainProgress& progress)
{
	return {
		{"drain_id", progress.id},
		{"volume_id", progress.volume ? nlohmann::json(*progress.volume) : nlohmann::json()},
		{"done", progress.done},
		{"blocks_cleaned", progress.blocks_cleaned},
		{"blocks_held", progress.blocks_held},
		{"dirty_blocks", progress.dirty_blocks},
		{"backing_off", progress.backing_off},
		{"last_errno", -progress.last_error},
	};
}

} // namespace hpsd::writeback
