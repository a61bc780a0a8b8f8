// SPDX-License-Identifier: GPL-2.0-only
// hpsd's writeback: the engine on its thread with the real seams (the
// channel's writeback ioctls, io_uring reads of the cache devices, librbd
// writes), pools from /dev/mapper, images from the volume registry.
#pragma once

#include "backend/rbd_writer.hpp"
#include "config/config.hpp"
#include "writeback/engine_thread.hpp"
#include "writeback/ioctl_kernel.hpp"
#include "writeback/uring_reader.hpp"

#include <memory>
#include <string>

namespace hpsd::writeback {

// hpsd.json's part of the engine's settings: flush_bandwidth_mbps in MB/s
// of 10^6 bytes.  Everything else keeps EngineConfig's defaults.
EngineConfig engine_config(const Config& config);

class WritebackService {
public:
	// Starts the engine thread.  `ioctl` reaches the channel's descriptor
	// (ChannelServer::ioctl: the device allows one open, so never another);
	// images are written through `rbd`, which outlives the service.
	// `cleaner`, when replication runs, sends the primaries' clean marks
	// to their peers; it must outlive the service.
	static hps::Result<std::unique_ptr<WritebackService>, std::string>
	start(const Config& config, backend::RbdSession& rbd, EngineLog log, ChannelIoctl ioctl,
	      ReplicaCleaner* cleaner = nullptr);

	// Only start() can make the key: a service is always started.
	class Key {
		friend class WritebackService;
		Key() = default;
	};
	explicit WritebackService(Key) {}

	// See EngineThread::stop().  Idempotent; the destructor calls it.
	void stop();
	~WritebackService();
	WritebackService(const WritebackService&) = delete;
	WritebackService& operator=(const WritebackService&) = delete;

	// drain(), drain_progress(), cancel_drain(), status(): any thread.
	Engine& engine() noexcept { return thread_->engine(); }
	// The writer's share of an image, released before the image is removed.
	void release_image(const std::string& name) { writer_->release_image(name); }

private:
	// Destroyed in reverse: the thread (and engine) before the seams.
	std::unique_ptr<IoctlKernel> kernel_;
	std::unique_ptr<UringReader> reader_;
	std::unique_ptr<backend::RbdWriter> writer_;
	std::unique_ptr<EngineThread> thread_;
};

} // namespace hpsd::writeback
