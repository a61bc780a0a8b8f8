// SPDX-License-Identifier: GPL-2.0-only
#include "core/replica_cleaner.hpp"

#include <boost/asio/post.hpp>

namespace hpsd {

void ReplicaCleanerBridge::set_gate(std::uint32_t volume,
				    std::shared_ptr<const replication::CleanGate> gate)
{
	std::lock_guard lock(mutex_);
	if (gate)
		gates_[volume] = std::move(gate);
	else
		gates_.erase(volume);
}

std::optional<writeback::CleanStamp> ReplicaCleanerBridge::capture(std::uint32_t volume_id)
{
	std::shared_ptr<const replication::CleanGate> gate;
	{
		std::lock_guard lock(mutex_);
		auto it = gates_.find(volume_id);
		if (it == gates_.end())
			return std::nullopt;
		gate = it->second;
	}
	auto mark = gate->capture();
	if (!mark)
		return std::nullopt;
	return writeback::CleanStamp{mark->token, mark->seq};
}

void ReplicaCleanerBridge::cleaned(std::uint32_t volume_id, writeback::CleanStamp stamp,
				   std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges)
{
	boost::asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_), volume_id, stamp,
				ranges = std::move(ranges)] {
		if (auto a = alive.lock(); !a || !*a || !manager_)
			return;
		manager_->clean(volume_id, replication::CleanMark{stamp.token, stamp.seq}, ranges);
	});
}

} // namespace hpsd
