// SPDX-License-Identifier: GPL-2.0-only
// One thread that runs blocking calls (librbd's synchronous ones) in the
// order they were posted, off the io thread: a call to Ceph may take its
// full timeout, which the io thread -- keepalives, the control API --
// must not wait out.  The order matters to its users: a record cleared
// and made again must reach Ceph in that order.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace hpsd {

class SerialWorker {
public:
	SerialWorker();
	// Runs the task under way to its end; the ones still queued are dropped.
	~SerialWorker();
	SerialWorker(const SerialWorker&) = delete;
	SerialWorker& operator=(const SerialWorker&) = delete;

	// Any thread.
	void post(std::function<void()> task);

private:
	void run();

	std::mutex mutex_;
	std::condition_variable wake_;
	std::deque<std::function<void()>> tasks_;
	bool stopping_ = false;
	std::thread thread_; // last: starts once the rest exists
};

} // namespace hpsd
