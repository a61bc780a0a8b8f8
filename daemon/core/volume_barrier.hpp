// SPDX-License-Identifier: GPL-2.0-only
// The resync barrier of a primary volume (replication/primary_volume.hpp):
// suspends the volume's dm device without flushing, which returns once
// every bio in flight has completed, runs a step on the io thread while
// the device stays suspended, and resumes it.
//
// It runs on a thread of its own: suspending waits for writes that need
// hpsd's io thread (their REPLICATE answers) to complete.  One barrier at a
// time, in order.
#pragma once

#include <boost/asio/io_context.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace hpsd {

class VolumeBarrier {
public:
	using Step = std::function<void()>;
	using Done = std::function<void(std::string error)>;

	explicit VolumeBarrier(boost::asio::io_context& io);
	~VolumeBarrier();
	VolumeBarrier(const VolumeBarrier&) = delete;
	VolumeBarrier& operator=(const VolumeBarrier&) = delete;

	// Suspends dm device `dm_name`, runs `step` on the io thread, resumes;
	// then `done("")` on the io thread, or `done(why)` without `step` when
	// the suspend failed.
	void run(std::string dm_name, Step step, Done done);

	// No more barriers; one under way finishes (its step is skipped if the
	// io thread no longer runs).  Idempotent.
	void stop();

private:
	struct Job {
		std::string dm_name;
		Step step;
		Done done;
	};
	void work();
	void barrier(Job& job);

	boost::asio::io_context& io_;
	std::mutex mutex_;
	std::condition_variable wake_;
	std::deque<Job> jobs_;
	bool stop_ = false;
	std::thread thread_;
};

} // namespace hpsd
