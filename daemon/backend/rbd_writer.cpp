// SPDX-License-Identifier: GPL-2.0-only
#include "backend/rbd_writer.hpp"

#include "util/errno_text.hpp"

#include <rados/librados.h>
#include <rbd/librbd.h>

#include <cerrno>
#include <memory>

namespace hpsd::backend {

// One librbd call in flight; owned by librbd's completion (its argument)
// until the callback takes it back.
struct RbdWriterAio {
	RbdWriter* writer;
	writeback::IoCallback done;
};

namespace {

void on_complete(rbd_completion_t c, void* arg)
{
	std::unique_ptr<RbdWriterAio> aio(static_cast<RbdWriterAio*>(arg));
	const auto r = rbd_aio_get_return_value(c);
	rbd_aio_release(c);
	aio->done(r < 0 ? static_cast<int>(r) : 0);
	aio->writer->finished();
}

} // namespace

RbdWriter::RbdWriter(CephConfig config, RbdWriterTimeouts timeouts, Log log)
	: config_(std::move(config)), timeouts_(timeouts), log_(std::move(log))
{
}

RbdWriter::~RbdWriter()
{
	{
		std::unique_lock lock(mutex_);
		idle_.wait(lock, [this] { return inflight_ == 0; });
	}
	for (auto& [name, image] : images_)
		rbd_close(static_cast<rbd_image_t>(image));
	if (ioctx_)
		rados_ioctx_destroy(static_cast<rados_ioctx_t>(ioctx_));
	if (cluster_)
		rados_shutdown(static_cast<rados_t>(cluster_));
}

void RbdWriter::started()
{
	std::lock_guard lock(mutex_);
	++inflight_;
}

void RbdWriter::finished()
{
	std::lock_guard lock(mutex_);
	if (--inflight_ == 0)
		idle_.notify_all();
}

int RbdWriter::connect()
{
	if (ioctx_)
		return 0;
	rados_t cluster = nullptr;
	const std::string who = "client." + config_.client;
	const std::string mount = std::to_string(timeouts_.mount_s);
	const std::string op = std::to_string(timeouts_.op_s);
	std::string error;
	int r = rados_create2(&cluster, "ceph", who.c_str(), 0);
	if (r < 0) {
		error = "rados_create2(" + who + "): " + hps::errno_text(-r);
	} else if ((r = rados_conf_read_file(cluster, config_.conf.c_str())) < 0) {
		error = "reading " + config_.conf + ": " + hps::errno_text(-r);
	} else if ((r = rados_conf_set(cluster, "rbd_cache", "false")) < 0 ||
		   (r = rados_conf_set(cluster, "client_mount_timeout", mount.c_str())) < 0 ||
		   (r = rados_conf_set(cluster, "rados_osd_op_timeout", op.c_str())) < 0 ||
		   (r = rados_conf_set(cluster, "rados_mon_op_timeout", op.c_str())) < 0) {
		error = "setting the client options: " + hps::errno_text(-r);
	} else if ((r = rados_connect(cluster)) < 0) {
		error = "connecting to Ceph as " + who + ": " + hps::errno_text(-r);
	} else {
		rados_ioctx_t ioctx = nullptr;
		r = rados_ioctx_create(cluster, config_.pool.c_str(), &ioctx);
		if (r == 0) {
			cluster_ = cluster;
			ioctx_ = ioctx;
			last_error_.clear();
			log_(LogLevel::info, "writeback: connected to Ceph as " + who + ", pool " +
						     config_.pool);
			return 0;
		}
		error = "pool " + config_.pool + ": " + hps::errno_text(-r);
	}
	if (cluster)
		rados_shutdown(cluster);
	if (error != last_error_)
		log_(LogLevel::error, "writeback: " + error);
	last_error_ = error;
	return r < 0 ? r : -EIO;
}

int RbdWriter::open(const std::string& name, void** image)
{
	if (auto it = images_.find(name); it != images_.end()) {
		*image = it->second;
		return 0;
	}
	if (int r = connect(); r < 0)
		return r;
	rbd_image_t opened = nullptr;
	if (int r = rbd_open(static_cast<rados_ioctx_t>(ioctx_), name.c_str(), &opened, nullptr);
	    r < 0) {
		const std::string error = "cannot open image " + config_.pool + "/" + name + ": " +
					  hps::errno_text(-r);
		if (error != last_error_)
			log_(LogLevel::error, "writeback: " + error);
		last_error_ = error;
		return r;
	}
	images_.emplace(name, opened);
	*image = opened;
	return 0;
}

void RbdWriter::close_image(const std::string& name)
{
	void* image = nullptr;
	{
		std::lock_guard lock(images_mutex_);
		auto it = images_.find(name);
		if (it == images_.end())
			return;
		image = it->second;
		images_.erase(it);
	}
	rbd_close(static_cast<rbd_image_t>(image));
}

void RbdWriter::write(const std::string& image, std::uint64_t offset,
		      std::span<const std::byte> data, writeback::IoCallback done)
{
	std::lock_guard images_lock(images_mutex_);
	void* handle = nullptr;
	if (int r = open(image, &handle); r < 0) {
		done(r);
		return;
	}
	auto aio = std::make_unique<RbdWriterAio>(RbdWriterAio{this, std::move(done)});
	rbd_completion_t c = nullptr;
	if (int r = rbd_aio_create_completion(aio.get(), on_complete, &c); r < 0) {
		aio->done(r);
		return;
	}
	started();
	RbdWriterAio* raw = aio.release(); // librbd's until on_complete
	const auto* buf = reinterpret_cast<const char*>(data.data());
	if (int r = static_cast<int>(
		    rbd_aio_write(static_cast<rbd_image_t>(handle), offset, data.size(), buf, c));
	    r < 0) {
		std::unique_ptr<RbdWriterAio> back(raw);
		rbd_aio_release(c);
		back->done(r);
		finished();
	}
}

void RbdWriter::flush(const std::string& image, writeback::IoCallback done)
{
	std::lock_guard images_lock(images_mutex_);
	void* handle = nullptr;
	if (int r = open(image, &handle); r < 0) {
		done(r);
		return;
	}
	auto aio = std::make_unique<RbdWriterAio>(RbdWriterAio{this, std::move(done)});
	rbd_completion_t c = nullptr;
	if (int r = rbd_aio_create_completion(aio.get(), on_complete, &c); r < 0) {
		aio->done(r);
		return;
	}
	started();
	RbdWriterAio* raw = aio.release();
	if (int r = rbd_aio_flush(static_cast<rbd_image_t>(handle), c); r < 0) {
		std::unique_ptr<RbdWriterAio> back(raw);
		rbd_aio_release(c);
		back->done(r);
		finished();
	}
}

} // namespace hpsd::backend
