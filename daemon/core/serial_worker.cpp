// SPDX-License-Identifier: GPL-2.0-only
#include "core/serial_worker.hpp"

namespace hpsd {

SerialWorker::SerialWorker() : thread_([this] { run(); }) {}

SerialWorker::~SerialWorker()
{
	{
		std::lock_guard lock(mutex_);
		stopping_ = true;
		tasks_.clear();
	}
	wake_.notify_one();
	thread_.join();
}

void SerialWorker::post(std::function<void()> task)
{
	{
		std::lock_guard lock(mutex_);
		if (stopping_)
			return;
		tasks_.push_back(std::move(task));
	}
	wake_.notify_one();
}

void SerialWorker::run()
{
	for (;;) {
		std::function<void()> task;
		{
			std::unique_lock lock(mutex_);
			wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
			if (stopping_)
				return;
			task = std::move(tasks_.front());
			tasks_.pop_front();
		}
		task();
	}
}

} // namespace hpsd
