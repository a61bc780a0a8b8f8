// SPDX-License-Identifier: GPL-2.0-only
// The RBD images behind volumes.  An interface so that the volume logic is
// testable without Ceph; RbdImageStore is the real one (librbd).
#pragma once

#include "util/result.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hpsd::backend {
class RbdSession;
}

namespace hps::volume {

struct ImageError {
	int code = 0; // negative errno
	std::string message;
};

// One holder of an image's advisory lock (rbd lock ls).
struct ImageLocker {
	std::string client;  // "client.4711"
	std::string cookie;  // the holder's own string (ownership.hpp)
	std::string address; // "192.168.1.10:0/3141592653"
};

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

	// Fencing (ownership.hpp).  The addresses of every Ceph client this
	// hpsd writes with: what another node blocklists to fence it.
	virtual hps::Result<std::vector<std::string>, std::string> client_addresses() = 0;
	// Errors carry the negative errno: -ESHUTDOWN when this client is
	// blocklisted.
	virtual hps::Result<std::vector<ImageLocker>, ImageError>
	lockers(const std::string& image) = 0;
	// Exclusive advisory lock with `cookie`.
	virtual hps::Result<void, std::string> lock(const std::string& image,
						    const std::string& cookie) = 0;
	virtual hps::Result<void, std::string> unlock(const std::string& image,
						      const std::string& cookie) = 0;
	virtual hps::Result<void, std::string> break_lock(const std::string& image,
							  const ImageLocker& locker) = 0;
	// Refused by every OSD from the time this returns.
	virtual hps::Result<void, std::string> blocklist(const std::string& address) = 0;
	// The image's metadata (rbd image-meta); nullopt: not set.  Errors
	// carry the negative errno: -ESHUTDOWN when this client is
	// blocklisted.
	virtual hps::Result<std::optional<std::string>, ImageError>
	metadata(const std::string& image, const std::string& key) = 0;
	virtual hps::Result<void, ImageError> set_metadata(const std::string& image,
							   const std::string& key,
							   const std::string& value) = 0;
	virtual hps::Result<void, ImageError> remove_metadata(const std::string& image,
							      const std::string& key) = 0;

	// Small RADOS objects in the images' pool: cluster-wide names one node
	// takes (cluster_ids.hpp).  create_object: true when this call made
	// it, false when it existed; read_object: nullopt when there is none;
	// remove_object: none is not an error.
	virtual hps::Result<bool, std::string> create_object(const std::string& oid,
							     const std::string& content) = 0;
	virtual hps::Result<std::optional<std::string>, std::string>
	read_object(const std::string& oid) = 0;
	virtual hps::Result<void, std::string> write_object(const std::string& oid,
							    const std::string& content) = 0;
	virtual hps::Result<void, std::string> remove_object(const std::string& oid) = 0;
};

// Images through hpsd's admin Ceph client (`session`), which connects on
// first use (hpsd starts and serves status without Ceph) and retries a
// failed connect on the next call.  `others`: hpsd's other clients, whose
// addresses client_addresses() includes.  All outlive the store.
std::unique_ptr<ImageStore>
make_rbd_image_store(hpsd::backend::RbdSession& session,
		     std::vector<hpsd::backend::RbdSession*> others = {});

} // namespace hps::volume
