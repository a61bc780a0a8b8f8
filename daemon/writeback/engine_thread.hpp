// SPDX-License-Identifier: GPL-2.0-only
// Runs an Engine on a thread of its own with the real clock.  The thread
// sleeps on a condition variable until the engine's next deadline, a
// completion (the engine's wake callback) or a stop: no polling.
#pragma once

#include "writeback/engine.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace hpsd::writeback {

class EngineThread {
public:
	// Creates the engine and starts its thread.  The seams must outlive
	// the EngineThread.
	static hps::Result<std::unique_ptr<EngineThread>, std::string>
	start(const EngineConfig& config, const Engine::Seams& seams, PoolLister pools,
	      ImageResolver resolve, EngineLog log);

	// Stops: what is in flight finishes, written blocks are flushed and
	// reported, the rest goes back to the kernel still dirty.  Idempotent.
	void stop();
	// Only the factory can make the key: a thread is always started.
	class Key {
		friend class EngineThread;
		Key() = default;
	};
	explicit EngineThread(Key) {}
	~EngineThread();
	EngineThread(const EngineThread&) = delete;
	EngineThread& operator=(const EngineThread&) = delete;

	Engine& engine() noexcept { return *engine_; }

private:
	void run();
	void wake();

	std::unique_ptr<Engine> engine_;
	std::mutex mutex_;
	std::condition_variable cv_;
	bool woken_ = false;
	bool stop_ = false;
	std::thread thread_;
};

} // namespace hpsd::writeback
