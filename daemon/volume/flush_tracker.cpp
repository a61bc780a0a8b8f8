// SPDX-License-Identifier: GPL-2.0-only
#include "volume/flush_tracker.hpp"

namespace hps::volume {

void FlushTracker::detach() noexcept
{
	// The engine is about to go: its drains go with it.
	running_.clear();
	drainer_ = nullptr;
}

std::optional<FlushView> FlushTracker::start(const std::string& name, std::uint32_t volume_id,
					     Clock::time_point now)
{
	if (!drainer_)
		return std::nullopt;
	auto it = running_.find(name);
	// A record of another volume under this name (deleted and created
	// again) is stale.
	if (it != running_.end() && it->second.volume_id != volume_id) {
		drainer_->cancel(it->second.drain);
		running_.erase(it);
	}
	if (auto current = view(name, now))
		return current;
	running_[name] = Running{volume_id, drainer_->start(volume_id), now};
	return FlushView{DrainState{}, std::chrono::seconds(0)};
}

std::optional<FlushView> FlushTracker::view(const std::string& name, Clock::time_point now)
{
	auto it = running_.find(name);
	if (it == running_.end() || !drainer_)
		return std::nullopt;
	auto state = drainer_->progress(it->second.drain);
	if (!state || state->done) {
		drainer_->cancel(it->second.drain); // drops the engine's record of it
		running_.erase(it);
		return std::nullopt;
	}
	return FlushView{*state, std::chrono::duration_cast<std::chrono::seconds>(
					 now - it->second.started)};
}

void FlushTracker::forget(const std::string& name)
{
	auto it = running_.find(name);
	if (it == running_.end())
		return;
	if (drainer_)
		drainer_->cancel(it->second.drain);
	running_.erase(it);
}

} // namespace hps::volume
