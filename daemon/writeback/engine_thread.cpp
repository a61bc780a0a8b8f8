// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/engine_thread.hpp"

#include <algorithm>

namespace hpsd::writeback {
namespace {

// The longest sleep: a bound, not a poll (every deadline the engine knows
// of is returned by step()), so that a missed wake-up costs little.
constexpr auto max_sleep = std::chrono::seconds(5);

} // namespace

hps::Result<std::unique_ptr<EngineThread>, std::string>
EngineThread::start(const EngineConfig& config, const Engine::Seams& seams, PoolLister pools,
		    ImageResolver resolve, EngineLog log)
{
	auto self = std::make_unique<EngineThread>(Key{});
	EngineThread* raw = self.get();
	auto engine = Engine::create(config, seams, std::move(pools), std::move(resolve),
				     std::move(log), [raw] { raw->wake(); });
	if (!engine)
		return hps::fail(engine.error());
	self->engine_ = std::move(engine).value();
	self->thread_ = std::thread([raw] { raw->run(); });
	return self;
}

EngineThread::~EngineThread()
{
	stop();
}

void EngineThread::stop()
{
	if (!thread_.joinable())
		return;
	{
		std::lock_guard lock(mutex_);
		stop_ = true;
	}
	cv_.notify_one();
	thread_.join();
}

void EngineThread::wake()
{
	{
		std::lock_guard lock(mutex_);
		woken_ = true;
	}
	cv_.notify_one();
}

void EngineThread::run()
{
	bool stopping = false;
	for (;;) {
		const auto now = Clock::now();
		auto next = engine_->step(now);
		if (stopping && engine_->stopped())
			return;
		std::unique_lock lock(mutex_);
		if (stop_ && !stopping) {
			stopping = true;
			lock.unlock();
			engine_->begin_stop();
			continue;
		}
		const auto until = std::min(next.value_or(now + max_sleep), now + max_sleep);
		cv_.wait_until(lock, until, [&] { return woken_ || (stop_ && !stopping); });
		woken_ = false;
	}
}

} // namespace hpsd::writeback
