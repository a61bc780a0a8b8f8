// SPDX-License-Identifier: GPL-2.0-only
// The drains that `volume.flush` started: which volume has one running and
// how far it got.  The control API's handlers run on hpsd's control loop,
// so a flush only starts a drain in the writeback engine (which runs on its
// own thread) and returns; volume.show / volume.list then report progress
// from here, and a client (hpsctl volume flush --wait, volume delete) polls.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace hps::volume {

// One drain as the engine sees it (writeback::DrainProgress, less what
// the volume API does not show).
struct DrainState {
	bool done = false;
	std::uint64_t blocks_cleaned = 0; // of this volume, since the drain began
	std::uint64_t blocks_held = 0;	  // taken from the kernel, not yet reported
	bool backing_off = false;	  // Ceph failed; writeback waits and retries
	int last_error = 0;		  // negative errno, 0 when none
};

// What drains a volume: the writeback engine through a small adapter
// (core/engine_drainer.hpp), a fake in tests.  Any thread.
class Drainer {
public:
	virtual ~Drainer() = default;
	virtual std::uint64_t start(std::uint32_t volume_id) = 0;
	// nullopt: the engine does not know that drain (cancelled).
	virtual std::optional<DrainState> progress(std::uint64_t drain) const = 0;
	virtual void cancel(std::uint64_t drain) = 0;
};

struct FlushView {
	DrainState state;
	std::chrono::seconds elapsed{0}; // since volume.flush started it
};

// Used on the control loop only (like the handlers that own it).
class FlushTracker {
public:
	using Clock = std::chrono::steady_clock;

	// The writeback engine starts after the control API's methods are
	// registered (and may fail to start): until a drainer is attached,
	// flushes are refused.  `drainer` must outlive the tracker's use.
	void attach(Drainer& drainer) noexcept { drainer_ = &drainer; }
	void detach() noexcept;
	bool available() const noexcept { return drainer_ != nullptr; }

	// Starts the drain of `volume_id` (named `name`), or joins the one
	// running: asking twice does not start two.  nullopt when no drainer
	// is attached.
	std::optional<FlushView> start(const std::string& name, std::uint32_t volume_id,
				       Clock::time_point now);
	// The running drain of `name`; one that finished is forgotten here
	// (and in the engine), so a finished flush reads as none.
	std::optional<FlushView> view(const std::string& name, Clock::time_point now);
	// The volume is gone: stop draining it.
	void forget(const std::string& name);

private:
	struct Running {
		std::uint32_t volume_id = 0;
		std::uint64_t drain = 0;
		Clock::time_point started;
	};

	Drainer* drainer_ = nullptr; // not owned; see attach()
	std::map<std::string, Running, std::less<>> running_;
};

} // namespace hps::volume
