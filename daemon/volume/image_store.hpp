// SPDX-License-Identifier: GPL-2.0-only
// The RBD images behind volumes.  An interface so that the volume logic is
// testable without Ceph; RbdImageStore is the real one (librbd).
#pragma once

#include "util/result.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace hpsd::backend {
class RbdSession;
}

namespace hps::volume {

class ImageStore {
public:
	virtual ~ImageStore() = default;
	// The image's size, std::nullopt when there is no such image.
	virtual hps::Result<std::optional<std::uint64_t>, std::string>
	size_of(const std::string& image) = 0;
	virtual hps::Result<void, std::string> create(const std::string& image,
						      std::uint64_t size_bytes) = 0;
	virtual hps::Result<void, std::string> remove(const std::string& image) = 0;
	// "rbd/db1", for messages.
	virtual std::string describe(const std::string& image) const = 0;
};

// Images through hpsd's one Ceph client, which connects on first use (hpsd
// starts and serves status without Ceph) and retries a failed connect on
// the next call; `session` outlives the store.
std::unique_ptr<ImageStore> make_rbd_image_store(hpsd::backend::RbdSession& session);

} // namespace hps::volume
