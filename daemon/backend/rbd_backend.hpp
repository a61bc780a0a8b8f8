// SPDX-License-Identifier: GPL-2.0-only
// The channel's backend on Ceph RBD, through librbd's asynchronous calls.
//
// It connects to the cluster on the first request (hpsd must start, and
// answer `status`, while Ceph is down), opens each volume's image on its
// first request and keeps it open.  librbd's own cache is off: a write the
// kernel was told is on the backend must be in RADOS, not in the memory of
// an hpsd that may be killed the next moment.  While Ceph is unreachable
// the librbd calls block (connect, open) or never complete: accepted for
// now; the kernel's requests wait meanwhile.
#pragma once

#include "channel/backend.hpp"
#include "channel/engine.hpp"
#include "config/config.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace hpsd::backend {

// The RBD image (in the configured pool) of a volume id; nullopt when the
// id is not a volume hpsd knows.
using VolumeResolver = std::function<std::optional<std::string>(std::uint32_t volume_id)>;

class RbdBackend final : public channel::Backend {
public:
	RbdBackend(CephConfig config, VolumeResolver resolve, channel::LogFn log);
	~RbdBackend() override;
	RbdBackend(const RbdBackend&) = delete;
	RbdBackend& operator=(const RbdBackend&) = delete;

	// Runs on the channel's ring thread only, never concurrently.
	void submit(const channel::Request& req, std::span<std::byte> data,
		    channel::CompletionSink& sink) override;

	// Closes the volume's image if it is open (any thread).  Called once
	// the volume's dm device is gone, so no request of it is in flight;
	// an open image holds a watch and RBD refuses to remove it.
	void close_volume(std::uint32_t volume_id);

private:
	int connect();
	// The open image of a volume, or a negative errno.
	int image_for(std::uint32_t volume_id, void** image);

	CephConfig config_;
	VolumeResolver resolve_;
	channel::LogFn log_;
	void* cluster_ = nullptr; // rados_t
	void* ioctx_ = nullptr;	  // rados_ioctx_t
	std::string last_connect_error_;
	std::mutex images_mutex_;		// images_: ring thread and close_volume
	std::map<std::uint32_t, void*> images_; // rbd_image_t by volume id
	std::set<std::uint32_t> reported_;	// volume ids whose failure was logged
};

} // namespace hpsd::backend
