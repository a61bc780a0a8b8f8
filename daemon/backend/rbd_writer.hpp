// SPDX-License-Identifier: GPL-2.0-only
// The writeback engine's BackendWriter on librbd's asynchronous calls.
//
// Overlaps backend/rbd_backend.{hpp,cpp} (the channel's backend): both
// connect to RADOS with rbd_cache off and open images on first use.  This
// one is separate because the writeback needs what that one does not
// offer without changes: images by name (the engine resolves volume ids),
// flush of one image, and bounded waits -- client_mount_timeout and
// rados_osd_op_timeout are set, so with Ceph unreachable a write fails
// (-ETIMEDOUT) and the engine backs off, instead of hanging hpsd's stop.
// Sharing one RADOS client and one open image per volume between the two
// would avoid exclusive-lock hand-offs between two clients of this node.
//
// Connecting and opening happen on the caller's (the engine's) thread, on
// first use, and are retried on the next call after a failure.
#pragma once

#include "config/config.hpp"
#include "writeback/seams.hpp"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace hpsd::backend {

struct RbdWriterTimeouts {
	unsigned mount_s = 15; // client_mount_timeout: connecting to the monitors
	unsigned op_s = 30;    // rados_osd_op_timeout, rados_mon_op_timeout
};

class RbdWriter final : public writeback::BackendWriter {
public:
	using Log = std::function<void(LogLevel, std::string_view)>;

	RbdWriter(CephConfig config, RbdWriterTimeouts timeouts, Log log);
	// Waits for the calls in flight, closes the images, disconnects.
	~RbdWriter() override;
	RbdWriter(const RbdWriter&) = delete;
	RbdWriter& operator=(const RbdWriter&) = delete;

	void write(const std::string& image, std::uint64_t offset, std::span<const std::byte> data,
		   writeback::IoCallback done) override;
	void flush(const std::string& image, writeback::IoCallback done) override;

	// Closes the image if it is open (any thread); rbd_close waits for
	// its calls in flight.  RBD refuses to remove an image someone has
	// open, so a volume deleted with its image is closed here first.
	void close_image(const std::string& name);

	// Bookkeeping of librbd calls in flight (their callbacks call finished()).
	void started();
	void finished();

private:
	int connect();
	// The open image, or a negative errno.
	int open(const std::string& name, void** image);

	CephConfig config_;
	RbdWriterTimeouts timeouts_;
	Log log_;
	void* cluster_ = nullptr; // rados_t
	void* ioctx_ = nullptr;	  // rados_ioctx_t
	std::string last_error_;
	// images_ and the submission of a call on one of them: the engine
	// thread and close_image() (the control thread).
	std::mutex images_mutex_;
	std::map<std::string, void*> images_; // rbd_image_t by name

	std::mutex mutex_;
	std::condition_variable idle_;
	unsigned inflight_ = 0;
};

} // namespace hpsd::backend
