// SPDX-License-Identifier: GPL-2.0-only
#include "backend/rbd_backend.hpp"

#include "util/errno_text.hpp"

#include <rados/librados.h>
#include <rbd/librbd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace hpsd::backend {
namespace {

using channel::Op;

// One asynchronous librbd call in flight; owned by librbd's completion
// (handed over as its argument) until the callback takes it back.
struct Aio {
	channel::CompletionSink* sink;
	rbd_image_t image;
	std::span<std::byte> data; // read, write
	std::uint64_t offset;
	std::uint64_t len;
	std::uint16_t tag;
	Op op;
	bool fua;
};

void on_complete(rbd_completion_t c, void* arg);

// Starts aio->op; on failure completes the request at once.
void start(std::unique_ptr<Aio> aio)
{
	rbd_completion_t c = nullptr;
	int r = rbd_aio_create_completion(aio.get(), on_complete, &c);
	if (r < 0) {
		aio->sink->complete(aio->tag, r);
		return;
	}
	Aio* raw = aio.release(); // librbd's from here until on_complete
	auto* buf = reinterpret_cast<char*>(raw->data.data());
	switch (raw->op) {
	case Op::read:
		r = rbd_aio_read(raw->image, raw->offset, raw->len, buf, c);
		break;
	case Op::write:
		r = rbd_aio_write(raw->image, raw->offset, raw->len, buf, c);
		break;
	case Op::discard:
		r = rbd_aio_discard(raw->image, raw->offset, raw->len, c);
		break;
	case Op::flush:
		r = rbd_aio_flush(raw->image, c);
		break;
	}
	if (r < 0) {
		std::unique_ptr<Aio> back(raw);
		rbd_aio_release(c);
		back->sink->complete(back->tag, r);
	}
}

// librbd's callback, on one of its threads.
void on_complete(rbd_completion_t c, void* arg)
{
	std::unique_ptr<Aio> aio(static_cast<Aio*>(arg));
	const auto r = rbd_aio_get_return_value(c);
	rbd_aio_release(c);
	if (r < 0) {
		aio->sink->complete(aio->tag, static_cast<int>(r));
		return;
	}
	if (aio->op == Op::read && static_cast<std::uint64_t>(r) < aio->len) {
		// Short only past the image's end: what is not there reads as zeroes.
		std::memset(aio->data.data() + r, 0, aio->len - static_cast<std::uint64_t>(r));
	}
	if (aio->op == Op::write && aio->fua) {
		// FUA: durable before it completes, so flush behind the write.
		aio->op = Op::flush;
		aio->fua = false;
		start(std::move(aio));
		return;
	}
	aio->sink->complete(aio->tag, 0);
}

} // namespace

RbdBackend::RbdBackend(CephConfig config, VolumeResolver resolve, channel::LogFn log)
	: config_(std::move(config)), resolve_(std::move(resolve)), log_(std::move(log))
{
}

RbdBackend::~RbdBackend()
{
	// The channel drained its requests before this runs; rbd_close waits
	// for anything librbd itself still has in flight.
	for (auto& [id, image] : images_)
		rbd_close(static_cast<rbd_image_t>(image));
	if (ioctx_)
		rados_ioctx_destroy(static_cast<rados_ioctx_t>(ioctx_));
	if (cluster_)
		rados_shutdown(static_cast<rados_t>(cluster_));
}

int RbdBackend::connect()
{
	if (ioctx_)
		return 0;
	rados_t cluster = nullptr;
	const std::string who = "client." + config_.client;
	std::string error;
	int r = rados_create2(&cluster, "ceph", who.c_str(), 0);
	if (r < 0) {
		error = "rados_create2(" + who + "): " + hps::errno_text(-r);
	} else if ((r = rados_conf_read_file(cluster, config_.conf.c_str())) < 0) {
		error = "reading " + config_.conf + ": " + hps::errno_text(-r);
	} else if ((r = rados_conf_set(cluster, "rbd_cache", "false")) < 0) {
		error = "rbd_cache=false: " + hps::errno_text(-r);
	} else if ((r = rados_connect(cluster)) < 0) {
		error = "connecting to Ceph as " + who + ": " + hps::errno_text(-r);
	} else {
		rados_ioctx_t ioctx = nullptr;
		r = rados_ioctx_create(cluster, config_.pool.c_str(), &ioctx);
		if (r == 0) {
			cluster_ = cluster;
			ioctx_ = ioctx;
			last_connect_error_.clear();
			log_(LogLevel::info, "backend: connected to Ceph as " + who + ", pool " +
						     config_.pool);
			return 0;
		}
		error = "pool " + config_.pool + ": " + hps::errno_text(-r);
	}
	if (cluster)
		rados_shutdown(cluster);
	// Each request retries; the log says it once per reason.
	if (error != last_connect_error_)
		log_(LogLevel::error, "backend: " + error);
	last_connect_error_ = error;
	return r < 0 ? r : -EIO;
}

void RbdBackend::close_volume(std::uint32_t volume_id)
{
	void* image = nullptr;
	{
		std::lock_guard lock(images_mutex_);
		auto it = images_.find(volume_id);
		if (it == images_.end())
			return;
		image = it->second;
		images_.erase(it);
	}
	rbd_close(static_cast<rbd_image_t>(image));
	log_(LogLevel::info, "backend: volume " + std::to_string(volume_id) + ": image closed");
}

int RbdBackend::image_for(std::uint32_t volume_id, void** image)
{
	{
		std::lock_guard lock(images_mutex_);
		if (auto it = images_.find(volume_id); it != images_.end()) {
			*image = it->second;
			return 0;
		}
	}
	if (int r = connect(); r < 0)
		return r;
	const auto name = resolve_(volume_id);
	if (!name) {
		if (reported_.insert(volume_id).second)
			log_(LogLevel::error, "backend: volume id " + std::to_string(volume_id) +
						      " is not a known volume: its I/O fails (ENXIO)");
		return -ENXIO;
	}
	rbd_image_t opened = nullptr;
	if (int r = rbd_open(static_cast<rados_ioctx_t>(ioctx_), name->c_str(), &opened, nullptr);
	    r < 0) {
		if (reported_.insert(volume_id).second)
			log_(LogLevel::error, "backend: volume " + std::to_string(volume_id) +
						      ": cannot open image " + config_.pool + "/" +
						      *name + ": " + hps::errno_text(-r));
		return r;
	}
	reported_.erase(volume_id);
	log_(LogLevel::info, "backend: volume " + std::to_string(volume_id) + " is image " +
				     config_.pool + "/" + *name);
	{
		std::lock_guard lock(images_mutex_);
		images_.emplace(volume_id, opened);
	}
	*image = opened;
	return 0;
}

void RbdBackend::submit(const channel::Request& req, std::span<std::byte> data,
			channel::CompletionSink& sink)
{
	void* image = nullptr;
	if (int r = image_for(req.volume_id, &image); r < 0) {
		sink.complete(req.tag, r);
		return;
	}
	start(std::make_unique<Aio>(Aio{&sink, static_cast<rbd_image_t>(image), data, req.offset,
					req.len, req.tag, req.op, req.fua}));
}

} // namespace hpsd::backend
