// SPDX-License-Identifier: GPL-2.0-only
// The channel's backend on Ceph RBD: the kernel's read misses, write-
// through writes, discards and flushes, as librbd calls of hpsd's one
// RbdSession (rbd_session.hpp, which also says how a Ceph outage looks:
// calls fail after a bounded wait, the kernel sees the error).
//
// Each volume's image is opened on its first request and kept open, as a
// share of the session's image that the writeback writer uses too.
#pragma once

#include "backend/rbd_session.hpp"
#include "channel/backend.hpp"
#include "channel/engine.hpp"

#include <cstdint>
#include <functional>
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
	// `session` outlives the backend.
	RbdBackend(RbdSession& session, VolumeResolver resolve, channel::LogFn log);

	// Runs on the channel's ring thread only, never concurrently.
	void submit(const channel::Request& req, std::span<std::byte> data,
		    channel::CompletionSink& sink) override;

	// Releases the backend's share of the volume's image (any thread).
	// Called once the volume's dm device is gone, so no request of it is
	// in flight.
	void release_image(std::uint32_t volume_id) { images_.release(volume_id); }

private:
	// The volume's image name for a first request, or -ENXIO (logged once).
	hps::Result<std::string, int> image_name(std::uint32_t volume_id);

	VolumeResolver resolve_;
	channel::LogFn log_;
	RbdShares<std::uint32_t> images_; // by volume id
	std::set<std::uint32_t> reported_; // unknown volume ids already logged; ring thread only
};

} // namespace hpsd::backend
