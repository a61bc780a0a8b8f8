// SPDX-License-Identifier: GPL-2.0-only
#include "backend/rbd_session.hpp"

#include "util/errno_text.hpp"

#include <rados/librados.h>
#include <rbd/features.h>
#include <rbd/librbd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <utility>

namespace hpsd::backend {
namespace {

enum class Op { read, write, discard, flush };

} // namespace

// One asynchronous librbd call; owned by librbd's completion (handed over
// as its argument) from the start until the callback takes it back.
struct RbdSession::Call {
	RbdSession* session;
	rbd_image_t image;
	Op op;
	bool fua;	  // write: flush behind it before done
	char* into;	  // read
	const char* from; // write
	std::uint64_t offset;
	std::uint64_t len;
	RbdDone done;
};

void RbdSession::ShutdownCluster::operator()(void* cluster) const noexcept
{
	rados_shutdown(static_cast<rados_t>(cluster));
}

void RbdSession::DestroyIoctx::operator()(void* ioctx) const noexcept
{
	rados_ioctx_destroy(static_cast<rados_ioctx_t>(ioctx));
}

RbdSession::RbdSession(CephConfig config, RbdTimeouts timeouts, Log log)
	: config_(std::move(config)), timeouts_(timeouts), log_(std::move(log))
{
}

RbdSession::~RbdSession()
{
	{
		std::unique_lock lock(calls_mutex_);
		idle_.wait(lock, [this] { return calls_ == 0; });
	}
	assert(images_.empty() && "an RbdImage outlived its session");
	// Not reached with the users destroyed first; closed anyway rather
	// than leaked with a watch on the image.
	for (auto& [name, open] : images_)
		rbd_close(static_cast<rbd_image_t>(open.handle));
	// ioctx_ goes before cluster_ (declared after it).
}

std::string RbdSession::describe(const std::string& name) const
{
	return config_.pool + "/" + name;
}

void RbdSession::note_failure(std::string& last, const RbdError& error)
{
	if (error.message != last)
		log_(LogLevel::error, "rbd: " + error.message);
	last = error.message;
}

hps::Result<void*, RbdError> RbdSession::connect_locked()
{
	if (ioctx_)
		return ioctx_.get();
	const std::string who = "client." + config_.client;
	const std::string where =
		"Ceph (" + config_.conf + ", " + who + ", pool " + config_.pool + "): ";
	const std::string mount = std::to_string(timeouts_.mount_s);
	const std::string op = std::to_string(timeouts_.op_s);
	rados_t handle = nullptr;
	int r = rados_create2(&handle, "ceph", who.c_str(), 0);
	std::unique_ptr<void, ShutdownCluster> cluster(handle);
	RbdError error;
	if (r < 0) {
		cluster.release(); // nothing to shut down
		error = {r, where + "cannot create a client: " + hps::rc_text(r)};
	} else if ((r = rados_conf_read_file(handle, config_.conf.c_str())) < 0) {
		error = {r, where + "cannot read the config: " + hps::rc_text(r)};
	} else if ((r = rados_conf_set(handle, "rbd_cache", "false")) < 0 ||
		   (r = rados_conf_set(handle, "client_mount_timeout", mount.c_str())) < 0 ||
		   (r = rados_conf_set(handle, "rados_osd_op_timeout", op.c_str())) < 0 ||
		   (r = rados_conf_set(handle, "rados_mon_op_timeout", op.c_str())) < 0) {
		error = {r, where + "cannot set the client options: " + hps::rc_text(r)};
	} else if ((r = rados_connect(handle)) < 0) {
		error = {r, where + "cannot connect: " + hps::rc_text(r)};
	} else {
		rados_ioctx_t io = nullptr;
		r = rados_ioctx_create(handle, config_.pool.c_str(), &io);
		if (r == 0) {
			cluster_ = std::move(cluster);
			ioctx_.reset(io);
			connect_error_.clear();
			log_(LogLevel::info, "rbd: connected to Ceph as " + who + ", pool " +
						     config_.pool);
			return ioctx_.get();
		}
		error = {r, where + "cannot open the pool: " + hps::rc_text(r)};
	}
	// Each user retries with its next call; the log says it once per reason.
	note_failure(connect_error_, error);
	return hps::fail(std::move(error));
}

hps::Result<void*, RbdError> RbdSession::ioctx()
{
	std::lock_guard lock(mutex_);
	return connect_locked();
}

hps::Result<RbdImage, RbdError> RbdSession::open(const std::string& name)
{
	std::lock_guard lock(mutex_);
	if (auto it = images_.find(name); it != images_.end()) {
		++it->second.shares;
		return RbdImage(*this, name, it->second.handle);
	}
	auto io = connect_locked();
	if (!io)
		return hps::fail(std::move(io).error());
	rbd_image_t handle = nullptr;
	if (int r = rbd_open(static_cast<rados_ioctx_t>(*io), name.c_str(), &handle, nullptr);
	    r < 0) {
		RbdError error{r, "cannot open image " + describe(name) + ": " + hps::rc_text(r)};
		note_failure(open_errors_[name], error);
		return hps::fail(std::move(error));
	}
	open_errors_.erase(name);
	images_.emplace(name, Open{handle, 1});
	log_(LogLevel::info, "rbd: image " + describe(name) + " opened");
	return RbdImage(*this, name, handle);
}

void RbdSession::release(const std::string& name) noexcept
{
	std::lock_guard lock(mutex_);
	auto it = images_.find(name);
	assert(it != images_.end());
	if (it == images_.end() || --it->second.shares > 0)
		return;
	// Under the lock: a new share of this name waits for a fresh open
	// instead of getting the handle being closed.
	rbd_close(static_cast<rbd_image_t>(it->second.handle));
	images_.erase(it);
	log_(LogLevel::info, "rbd: image " + describe(name) + " closed");
}

hps::Result<std::optional<std::uint64_t>, RbdError> RbdSession::size_of(const std::string& name)
{
	auto io = ioctx();
	if (!io)
		return hps::fail(std::move(io).error());
	// Read-only and closed at once: no watch, no share, whoever else has
	// the image open.
	rbd_image_t image = nullptr;
	int r = rbd_open_read_only(static_cast<rados_ioctx_t>(*io), name.c_str(), &image, nullptr);
	if (r == -ENOENT)
		return std::optional<std::uint64_t>();
	if (r < 0)
		return hps::fail(RbdError{
			r, "cannot open RBD image " + describe(name) + ": " + hps::rc_text(r)});
	std::uint64_t size = 0;
	r = rbd_get_size(image, &size);
	rbd_close(image);
	if (r < 0)
		return hps::fail(RbdError{r, "cannot read the size of RBD image " + describe(name) +
						     ": " + hps::rc_text(r)});
	return std::optional(size);
}

hps::Result<void, RbdError> RbdSession::create(const std::string& name, std::uint64_t size_bytes)
{
	auto io = ioctx();
	if (!io)
		return hps::fail(std::move(io).error());
	int order = 0; // librbd's default object size
	// Layering only, no exclusive-lock (nor the object-map, fast-diff and
	// journaling that need it): hpsd opens every image from two clients
	// (the channel's, which waits for Ceph, and writeback's, which times
	// out), which would pass the lock back and forth on every write.
	// Promotion (issue 4), where two nodes may try to write, decides how
	// the new primary holds the lock (and breaks a killed hpsd's).  Until
	// then hpsd is its images' only writer.
	int r = rbd_create2(static_cast<rados_ioctx_t>(*io), name.c_str(), size_bytes,
			    RBD_FEATURE_LAYERING, &order);
	if (r < 0)
		return hps::fail(RbdError{
			r, "cannot create RBD image " + describe(name) + ": " + hps::rc_text(r)});
	return {};
}

hps::Result<void, RbdError> RbdSession::remove(const std::string& name)
{
	void* io = nullptr;
	{
		std::lock_guard lock(mutex_);
		if (auto it = images_.find(name); it != images_.end())
			return hps::fail(RbdError{
				-EBUSY, "cannot remove RBD image " + describe(name) +
						": hpsd still has it open (" +
						std::to_string(it->second.shares) + " users)"});
		auto connected = connect_locked();
		if (!connected)
			return hps::fail(std::move(connected).error());
		io = *connected;
	}
	// Out of the lock: removing deletes every object of the image, which
	// takes a while, and other images are opened meanwhile.
	int r = rbd_remove(static_cast<rados_ioctx_t>(io), name.c_str());
	if (r < 0 && r != -ENOENT)
		return hps::fail(RbdError{
			r, "cannot remove RBD image " + describe(name) + ": " + hps::rc_text(r)});
	return {};
}

void RbdSession::call_started()
{
	std::lock_guard lock(calls_mutex_);
	++calls_;
}

void RbdSession::call_finished()
{
	std::lock_guard lock(calls_mutex_);
	if (--calls_ == 0)
		idle_.notify_all();
}

// Starts call->op; when it cannot start, reports the error at once.
void RbdSession::start(std::unique_ptr<Call> call)
{
	rbd_completion_t c = nullptr;
	int r = rbd_aio_create_completion(call.get(), on_complete, &c);
	if (r < 0) {
		call->done(r);
		return;
	}
	RbdSession* session = call->session;
	session->call_started();
	Call* raw = call.release(); // librbd's from here until on_complete
	switch (raw->op) {
	case Op::read:
		r = rbd_aio_read(raw->image, raw->offset, raw->len, raw->into, c);
		break;
	case Op::write:
		r = rbd_aio_write(raw->image, raw->offset, raw->len, raw->from, c);
		break;
	case Op::discard:
		r = rbd_aio_discard(raw->image, raw->offset, raw->len, c);
		break;
	case Op::flush:
		r = rbd_aio_flush(raw->image, c);
		break;
	}
	if (r < 0) {
		std::unique_ptr<Call> back(raw);
		rbd_aio_release(c);
		back->done(r);
		session->call_finished();
	}
}

// librbd's callback, on one of its threads.
void RbdSession::on_complete(void* completion, void* arg)
{
	std::unique_ptr<Call> call(static_cast<Call*>(arg));
	auto c = static_cast<rbd_completion_t>(completion);
	const auto r = rbd_aio_get_return_value(c);
	rbd_aio_release(c);
	RbdSession* session = call->session;
	if (r >= 0 && call->op == Op::write && call->fua) {
		// FUA: durable before it completes, so a flush behind the write;
		// counted as a call of its own.
		call->op = Op::flush;
		call->fua = false;
		start(std::move(call));
	} else if (r < 0) {
		call->done(static_cast<int>(r));
	} else {
		if (call->op == Op::read && static_cast<std::uint64_t>(r) < call->len)
			// Short only past the image's end: what is not there
			// reads as zeroes.
			std::memset(call->into + r, 0, call->len - static_cast<std::uint64_t>(r));
		call->done(0);
	}
	call.reset();
	// Last: the session's destructor waits for this.
	session->call_finished();
}

RbdImage::RbdImage(RbdImage&& other) noexcept
	: session_(std::exchange(other.session_, nullptr)), name_(std::move(other.name_)),
	  handle_(std::exchange(other.handle_, nullptr))
{
}

RbdImage& RbdImage::operator=(RbdImage&& other) noexcept
{
	if (this != &other) {
		release();
		session_ = std::exchange(other.session_, nullptr);
		name_ = std::move(other.name_);
		handle_ = std::exchange(other.handle_, nullptr);
	}
	return *this;
}

RbdImage::~RbdImage()
{
	release();
}

void RbdImage::release() noexcept
{
	if (session_)
		session_->release(name_);
	session_ = nullptr;
	handle_ = nullptr;
}

void RbdImage::read(std::uint64_t offset, std::span<std::byte> into, RbdDone done) const
{
	RbdSession::start(std::make_unique<RbdSession::Call>(
		RbdSession::Call{session_, static_cast<rbd_image_t>(handle_), Op::read, false,
				 reinterpret_cast<char*>(into.data()), nullptr, offset, into.size(),
				 std::move(done)}));
}

void RbdImage::write(std::uint64_t offset, std::span<const std::byte> data, bool fua,
		     RbdDone done) const
{
	RbdSession::start(std::make_unique<RbdSession::Call>(
		RbdSession::Call{session_, static_cast<rbd_image_t>(handle_), Op::write, fua,
				 nullptr, reinterpret_cast<const char*>(data.data()), offset,
				 data.size(), std::move(done)}));
}

void RbdImage::discard(std::uint64_t offset, std::uint64_t len, RbdDone done) const
{
	RbdSession::start(std::make_unique<RbdSession::Call>(
		RbdSession::Call{session_, static_cast<rbd_image_t>(handle_), Op::discard, false,
				 nullptr, nullptr, offset, len, std::move(done)}));
}

void RbdImage::flush(RbdDone done) const
{
	RbdSession::start(std::make_unique<RbdSession::Call>(
		RbdSession::Call{session_, static_cast<rbd_image_t>(handle_), Op::flush, false,
				 nullptr, nullptr, 0, 0, std::move(done)}));
}

} // namespace hpsd::backend
