// SPDX-License-Identifier: GPL-2.0-only
// Serves the kernel channel: attaches to /dev/hps-channel, maps the shared
// area, and runs an io_uring that keeps one FETCH per tag in the kernel,
// hands each request to the Backend and answers with COMMIT_AND_FETCH.
//
// Threads: a supervisor thread (re)attaches, once a second while it
// cannot; each attachment is served by a ring thread of its own.  The
// module watches the task that posted a fetch and cancels its fetches when
// that task exits, so ending the ring thread is how hpsd lets go of the
// kernel's requests (the kernel queues again what was not committed).  The
// backend's completions come back to the ring thread through an eventfd
// read on the same ring: no polling.
#pragma once

#include "channel/backend.hpp"
#include "channel/engine.hpp"
#include "channel/kernel_channel.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <future>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace hpsd::channel {

// The channel as `status` reports it.
struct ChannelSnapshot {
	std::string device;
	bool attached = false;
	std::string error; // why not attached (empty when attached)
	ChannelInfo info;  // as the module said at the last attach
	std::uint64_t served = 0;
	std::uint64_t failed = 0;	   // answered with an error
	std::uint64_t protocol_errors = 0; // commands refused by the kernel etc.
};

// Completions from the backend's threads to the ring thread.
class CompletionQueue final : public CompletionSink {
public:
	explicit CompletionQueue(int wake_fd) : wake_fd_(wake_fd) {}

	void complete(std::uint16_t tag, int result) noexcept override;
	std::vector<std::pair<std::uint16_t, int>> drain();

private:
	int wake_fd_;
	std::mutex mutex_;
	std::vector<std::pair<std::uint16_t, int>> done_;
};

class ChannelServer {
public:
	ChannelServer(std::filesystem::path device, Backend& backend, LogFn log);
	~ChannelServer();
	ChannelServer(const ChannelServer&) = delete;
	ChannelServer& operator=(const ChannelServer&) = delete;

	// Starts the supervisor thread; returns once the first attach was tried,
	// so that `status` right after start-up tells the truth.
	hps::Result<void, std::string> start();
	// Stops serving: waits for the backend's requests in flight, commits
	// them, and ends the threads.  Idempotent.
	void stop();

	ChannelSnapshot snapshot() const;

	// ioctl(2) on the attached channel's descriptor (the writeback ioctls
	// must use this file: the device allows one open, and a dup would
	// keep the file alive after the server let it go).  The descriptor
	// stays open for the call.  -1 with errno ENOTCONN while not attached.
	int ioctl(unsigned long request, void* arg) const;

private:
	void supervise();
	void serve(const KernelChannel& channel, std::byte* area);
	bool wait_wake(int timeout_ms);
	void set_error(std::string error);
	void first_try_done();

	std::filesystem::path device_;
	Backend& backend_;
	LogFn log_;
	hps::UniqueFd wake_;
	CompletionQueue completions_;
	std::atomic<bool> stop_{false};
	std::thread supervisor_;
	std::promise<void> first_try_; // set by the supervisor, once
	bool first_try_done_ = false;  // supervisor thread only

	// Held while the channel's descriptor is published or closed, and
	// shared by ioctl() callers: WB_TAKE may wait for REPLICATE answers
	// (FORMAT.md, "Writeback"), and the io thread's WB_CLEAN of a
	// secondary must not wait behind it meanwhile.
	mutable std::shared_mutex fd_mutex_;
	int fd_ = -1;

	mutable std::mutex mutex_; // guards the fields below
	bool attached_ = false;
	std::string error_ = "not started";
	ChannelInfo info_;
	EngineCounters totals_;	 // of the sessions that ended
	EngineCounters current_; // of the live session
};

} // namespace hpsd::channel
