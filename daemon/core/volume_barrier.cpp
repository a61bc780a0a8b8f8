// SPDX-License-Identifier: GPL-2.0-only
#include "core/volume_barrier.hpp"

#include "dm/control.hpp"

#include <boost/asio/post.hpp>

#include <chrono>
#include <future>

namespace hpsd {
namespace {

// How long the step may take to start on the io thread; past it hpsd is
// stopping (the io thread no longer runs handlers) and the device must not
// stay suspended.
constexpr std::chrono::seconds step_wait{10};

} // namespace

VolumeBarrier::VolumeBarrier(boost::asio::io_context& io) : io_(io), thread_([this] { work(); })
{
}

VolumeBarrier::~VolumeBarrier()
{
	stop();
}

void VolumeBarrier::stop()
{
	{
		std::lock_guard lock(mutex_);
		if (stop_)
			return;
		stop_ = true;
	}
	wake_.notify_all();
	if (thread_.joinable())
		thread_.join();
}

void VolumeBarrier::run(std::string dm_name, Step step, Done done)
{
	{
		std::lock_guard lock(mutex_);
		if (!stop_) {
			jobs_.push_back(Job{std::move(dm_name), std::move(step), std::move(done)});
			wake_.notify_one();
			return;
		}
	}
	boost::asio::post(io_, [done = std::move(done)] { done("hpsd is stopping"); });
}

void VolumeBarrier::work()
{
	for (;;) {
		Job job;
		{
			std::unique_lock lock(mutex_);
			wake_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
			if (jobs_.empty())
				return;
			job = std::move(jobs_.front());
			jobs_.pop_front();
		}
		barrier(job);
	}
}

void VolumeBarrier::barrier(Job& job)
{
	auto dm = hps::dm::Control::open();
	if (!dm) {
		boost::asio::post(io_, [done = std::move(job.done), e = dm.error().message] { done(e); });
		return;
	}
	if (auto suspended = dm->suspend_noflush(job.dm_name); !suspended) {
		boost::asio::post(io_, [done = std::move(job.done), e = suspended.error().message] {
			done(e);
		});
		return;
	}
	// Every bio of the device has completed: the step runs before any new
	// one is mapped.
	auto ran = std::make_shared<std::promise<void>>();
	auto future = ran->get_future();
	boost::asio::post(io_, [step = std::move(job.step), ran] {
		step();
		ran->set_value();
	});
	const bool stepped = future.wait_for(step_wait) == std::future_status::ready;
	std::string error;
	// A device left suspended would hang its users: try hard.
	for (int attempt = 0; attempt < 5; attempt++) {
		auto resumed = dm->resume(job.dm_name);
		if (resumed) {
			error.clear();
			break;
		}
		error = "cannot resume " + job.dm_name + ": " + resumed.error().message;
		std::this_thread::sleep_for(std::chrono::milliseconds(200));
	}
	if (error.empty() && !stepped)
		error = "the io thread did not run the barrier's step";
	boost::asio::post(io_, [done = std::move(job.done), error] { done(error); });
}

} // namespace hpsd
