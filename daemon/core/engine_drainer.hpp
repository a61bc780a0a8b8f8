// SPDX-License-Identifier: GPL-2.0-only
// The writeback engine as the volume API's Drainer: volume.flush drains one
// volume id through Engine::drain() (daemon/writeback/engine.hpp).
#pragma once

#include "volume/flush_tracker.hpp"
#include "writeback/engine.hpp"

namespace hpsd {

class EngineDrainer final : public hps::volume::Drainer {
public:
	// `engine` must outlive this adapter.
	explicit EngineDrainer(writeback::Engine& engine) : engine_(engine) {}

	std::uint64_t start(std::uint32_t volume_id) override { return engine_.drain(volume_id); }

	std::optional<hps::volume::DrainState> progress(std::uint64_t drain) const override
	{
		auto p = engine_.drain_progress(drain);
		if (!p)
			return std::nullopt;
		return hps::volume::DrainState{p->done, p->blocks_cleaned, p->blocks_held,
					       p->backing_off, p->last_error};
	}

	void cancel(std::uint64_t drain) override { engine_.cancel_drain(drain); }

private:
	writeback::Engine& engine_;
};

} // namespace hpsd
