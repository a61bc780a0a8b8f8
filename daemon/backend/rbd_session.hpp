// SPDX-License-Identifier: GPL-2.0-only
// A client of Ceph: one RADOS connection and pool ioctx, each RBD image
// opened once and shared, librbd's asynchronous calls started and
// completed in one place.  hpsd has two (core/daemon.cpp): the channel's,
// which waits for Ceph (op_s 0), and the one of writeback and the admin
// calls, which times out and retries.
//
// Its users are the channel's backend (read misses, write-through,
// rbd_backend.hpp), the writeback writer (rbd_writer.hpp) and the volume
// service's image store (create, size, remove, and the advisory lock and
// blocklist of fencing, rbd_session_locks.cpp).  Images stay
// layering-only (no exclusive-lock feature, see create()): hpsd's two
// clients would pass that lock back and forth; a replicated volume's
// owner holds the image's advisory lock instead (volume/ownership.hpp).
//
// Connecting happens on first use (hpsd must start, and answer `status`,
// while Ceph is down) and is retried by the next call after a failure.
// With op_s > 0 waits are bounded (client_mount_timeout,
// rados_osd_op_timeout, rados_mon_op_timeout): with Ceph unreachable a
// call fails (-ETIMEDOUT) and its user retries or backs off, instead of a
// thread of hpsd hanging until Ceph is back.  librbd's own cache is off: a write reported done
// must be in RADOS, not in the memory of an hpsd that may be killed the
// next moment.
#pragma once

#include "config/config.hpp"
#include "util/result.hpp"

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hpsd::backend {

struct RbdTimeouts {
	unsigned mount_s = 15; // client_mount_timeout: connecting to the monitors
	unsigned op_s = 30;    // rados_osd_op_timeout, rados_mon_op_timeout; 0: wait for Ceph
};

// A failed librados/librbd call: its negative errno, and one line naming
// the image (or the cluster) and the reason, for logs and API errors.
struct RbdError {
	int code = 0;
	std::string message;
};

// 0 or a negative errno.  Called exactly once: on one of librbd's threads,
// or on the caller's when the call could not even start.  It must not
// release an RbdImage (closing waits for the very call calling back).
using RbdDone = std::function<void(int result)>;

class RbdSession;

// One holder of an image's advisory lock.
struct RbdLocker {
	std::string client;  // "client.4711"
	std::string cookie;  // the holder's own string
	std::string address; // "192.168.1.10:0/3141592653"
};

// One user's share of an image the session has open.  Move-only; dropping
// it releases the share, and the last share closes the image (rbd_close
// waits for the image's calls in flight).  The calls below only start
// work, so the share must stay alive while one of them is being started,
// not until its RbdDone.  A write with fua is the exception: its flush
// starts from the write's completion, so its image must not be closed
// meanwhile -- the channel releases a volume only once its dm device,
// and so every request of it, is gone.
class RbdImage {
public:
	RbdImage() = default;
	RbdImage(RbdImage&& other) noexcept;
	RbdImage& operator=(RbdImage&& other) noexcept;
	~RbdImage();
	RbdImage(const RbdImage&) = delete;
	RbdImage& operator=(const RbdImage&) = delete;

	const std::string& name() const noexcept { return name_; }

	// Fills `into` from `offset`; what lies past the image's end reads as
	// zeroes.  `into` stays valid until done.
	void read(std::uint64_t offset, std::span<std::byte> into, RbdDone done) const;
	// `data` stays valid until done.  fua: durable before done (a flush
	// behind the write).
	void write(std::uint64_t offset, std::span<const std::byte> data, bool fua,
		   RbdDone done) const;
	void discard(std::uint64_t offset, std::uint64_t len, RbdDone done) const;
	// Makes every write that completed before this call durable.
	void flush(RbdDone done) const;

private:
	friend class RbdSession;
	RbdImage(RbdSession& session, const std::string& name, void* handle)
		: session_(&session), name_(name), handle_(handle)
	{
	}
	void release() noexcept;

	RbdSession* session_ = nullptr;
	std::string name_;
	void* handle_ = nullptr; // rbd_image_t
};

class RbdSession {
public:
	using Log = std::function<void(LogLevel, std::string_view)>;

	RbdSession(CephConfig config, RbdTimeouts timeouts, Log log);
	// Every RbdImage is gone before (its users are destroyed first); waits
	// for the calls still calling back, then disconnects.
	~RbdSession();
	RbdSession(const RbdSession&) = delete;
	RbdSession& operator=(const RbdSession&) = delete;

	// Another share of `name` when it is open, else opens it (connecting
	// first when need be).  Any thread; failures are logged once per reason.
	hps::Result<RbdImage, RbdError> open(const std::string& name);

	// Image administration for the volume service (its control thread).
	// size_of: std::nullopt when there is no such image.
	hps::Result<std::optional<std::uint64_t>, RbdError> size_of(const std::string& name);
	hps::Result<void, RbdError> create(const std::string& name, std::uint64_t size_bytes);
	// Refuses (-EBUSY) while any share of the image is held: RBD refuses
	// to remove an image someone has open, so its users release their
	// shares first and this says which image still has them.  No image
	// is not an error.
	hps::Result<void, RbdError> remove(const std::string& name);

	// "rbd/db1", for messages.
	std::string describe(const std::string& name) const;

	// Fencing (volume/ownership.hpp; rbd_session_locks.cpp).  Blocking,
	// on the caller's thread, bounded by the session's timeouts.
	//
	// This client's addresses as the OSDs see it ("ip:port/nonce"),
	// connecting first: what a new primary blocklists to fence this hpsd.
	hps::Result<std::vector<std::string>, RbdError> addresses();
	// The image's advisory lock (rbd lock ls): who holds it, with which
	// cookie.
	hps::Result<std::vector<RbdLocker>, RbdError> lockers(const std::string& name);
	// Takes the image's advisory lock exclusively (-EBUSY: another
	// holder; -EEXIST: this client with this cookie already).
	hps::Result<void, RbdError> lock(const std::string& name, const std::string& cookie);
	hps::Result<void, RbdError> unlock(const std::string& name, const std::string& cookie);
	hps::Result<void, RbdError> break_lock(const std::string& name, const RbdLocker& locker);
	// Refuses the client at `address` at every OSD (ceph osd blocklist
	// add), then waits for the OSD map that says so: a write of that
	// client that reaches an OSD after this returns is refused.
	hps::Result<void, RbdError> blocklist(const std::string& address);
	// The image's metadata (rbd image-meta): nullopt when the key is not
	// set.  A blocklisted client gets -ESHUTDOWN (EBLOCKLISTED).
	hps::Result<std::optional<std::string>, RbdError> metadata(const std::string& name,
								   const std::string& key);
	hps::Result<void, RbdError> set_metadata(const std::string& name, const std::string& key,
						 const std::string& value);
	hps::Result<void, RbdError> remove_metadata(const std::string& name, const std::string& key);

	// Small RADOS objects in the pool (rbd_session_objects.cpp), blocking.
	// create_object: true when this call made `oid` with `content`,
	// false when it exists already (whoever made it).
	hps::Result<bool, RbdError> create_object(const std::string& oid, const std::string& content);
	// nullopt: no such object.
	hps::Result<std::optional<std::string>, RbdError> read_object(const std::string& oid);
	// Replaces the object's content, creating it when missing.
	hps::Result<void, RbdError> write_object(const std::string& oid, const std::string& content);
	// No such object is not an error.
	hps::Result<void, RbdError> remove_object(const std::string& oid);

private:
	// The rados_t, connecting first; outside mutex_ it stays until the
	// destructor.
	hps::Result<void*, RbdError> cluster();
	// rbd_open of `name` for one locking call; closed by the caller.
	hps::Result<void*, RbdError> open_for_lock(const std::string& name);
	// rbd_header.<id> of image `name` (format 2), the id read once from
	// rbd_id.<name> and kept.
	hps::Result<std::string, RbdError> header_object(const std::string& name);

	friend class RbdImage;
	struct Call; // one librbd call in flight (rbd_session.cpp)

	struct ShutdownCluster {
		void operator()(void* cluster) const noexcept;
	};
	struct DestroyIoctx {
		void operator()(void* ioctx) const noexcept;
	};

	struct Open {
		void* handle = nullptr; // rbd_image_t
		unsigned shares = 0;
	};

	// The pool's ioctx, connecting first; mutex_ held.
	hps::Result<void*, RbdError> connect_locked();
	// The ioctx for a call outside mutex_: it stays until the destructor.
	hps::Result<void*, RbdError> ioctx();
	void release(const std::string& name) noexcept;
	// Logs `error` unless it is what `last` already said; remembers it.
	void note_failure(std::string& last, const RbdError& error);

	static void start(std::unique_ptr<Call> call);
	static void on_complete(void* completion, void* arg); // rbd_callback_t
	void call_started();
	void call_finished();

	const CephConfig config_;
	const RbdTimeouts timeouts_;
	const Log log_;

	// Connecting, opening, closing and the map of open images: any thread.
	// Held across librbd's blocking open and close, so that a name is
	// never open twice nor closed under a new share; the calls on an open
	// image do not take it.
	std::mutex mutex_;
	std::unique_ptr<void, ShutdownCluster> cluster_; // rados_t
	std::unique_ptr<void, DestroyIoctx> ioctx_;	 // rados_ioctx_t; before cluster_ goes
	std::string connect_error_;			 // last reported, once per reason
	std::map<std::string, Open> images_;
	std::map<std::string, std::string> open_errors_; // last reported, by name

	std::mutex headers_mutex_;
	std::map<std::string, std::string> header_objects_; // image name -> header object

	std::mutex calls_mutex_;
	std::condition_variable idle_;
	unsigned calls_ = 0; // librbd calls whose callback has not returned
};

// One user's shares of images, by the user's own key (a volume id, an
// image name): taken on first use, kept until released.  A call starts
// under the shares' lock, so a release from another thread never closes
// an image between finding the share and starting the call.
template <class Key>
class RbdShares {
public:
	explicit RbdShares(RbdSession& session) : session_(session) {}

	// Runs start(const RbdImage&) with key's share, opening name_of()
	// first when key has none.  name_of() returns the image's name, or
	// a negative errno when it has none (e.g. -ENXIO: unknown volume).
	// Returns 0, or that errno or the open's (start did not run then).
	template <class NameOf, class Start>
	int start(const Key& key, NameOf&& name_of, Start&& start)
	{
		std::lock_guard lock(mutex_);
		auto it = shares_.find(key);
		if (it == shares_.end()) {
			hps::Result<std::string, int> name = name_of();
			if (!name)
				return name.error();
			auto opened = session_.open(*name);
			if (!opened)
				return opened.error().code;
			it = shares_.emplace(key, std::move(opened).value()).first;
		}
		start(it->second);
		return 0;
	}

	// Drops key's share, if any (any thread); the image closes with its
	// last share, after the calls in flight on it.
	void release(const Key& key)
	{
		RbdImage share;
		{
			std::lock_guard lock(mutex_);
			auto node = shares_.extract(key);
			if (node.empty())
				return;
			share = std::move(node.mapped());
		}
		// Closed here, out of the lock: a call on another image of this
		// user need not wait for the close.
	}

private:
	RbdSession& session_;
	std::mutex mutex_;
	std::map<Key, RbdImage> shares_;
};

} // namespace hpsd::backend
