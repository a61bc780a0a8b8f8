// SPDX-License-Identifier: GPL-2.0-only
// The writeback engine's BackendWriter: writes and flushes of images by
// name, as librbd calls of hpsd's one RbdSession (rbd_session.hpp), whose
// bounded waits make a write fail (-ETIMEDOUT) while Ceph is unreachable,
// so the engine backs off instead of hanging hpsd's stop.
//
// Each image is opened on first use and kept open, as a share of the
// session's image that the channel's backend uses too; a failed open is
// retried by the next call.
#pragma once

#include "backend/rbd_session.hpp"
#include "writeback/seams.hpp"

#include <string>

namespace hpsd::backend {

class RbdWriter final : public writeback::BackendWriter {
public:
	// `session` outlives the writer.
	explicit RbdWriter(RbdSession& session) : images_(session) {}

	void write(const std::string& image, std::uint64_t offset, std::span<const std::byte> data,
		   writeback::IoCallback done) override;
	void flush(const std::string& image, writeback::IoCallback done) override;

	// Releases the writer's share of the image (any thread); it closes
	// with its last share, after its calls in flight.  A deleted volume's
	// image is released here (RBD refuses to remove an image someone has
	// open); a later write to it would open it again.
	void release_image(const std::string& name) { images_.release(name); }

private:
	RbdShares<std::string> images_; // by name
};

} // namespace hpsd::backend
