// SPDX-License-Identifier: GPL-2.0-only
#include "volume/image_store.hpp"

#include "util/errno_text.hpp"

#include <rados/librados.h>
#include <rbd/features.h>
#include <rbd/librbd.h>

namespace hps::volume {
namespace {

// rados_t and rados_ioctx_t are opaque handles with C destructors.
struct Cluster {
	rados_t handle = nullptr;
	Cluster() = default;
	Cluster(const Cluster&) = delete;
	Cluster& operator=(const Cluster&) = delete;
	~Cluster()
	{
		if (handle)
			rados_shutdown(handle);
	}
};

struct IoCtx {
	rados_ioctx_t handle = nullptr;
	IoCtx() = default;
	IoCtx(const IoCtx&) = delete;
	IoCtx& operator=(const IoCtx&) = delete;
	~IoCtx()
	{
		if (handle)
			rados_ioctx_destroy(handle);
	}
};

struct Image {
	rbd_image_t handle = nullptr;
	Image() = default;
	Image(const Image&) = delete;
	Image& operator=(const Image&) = delete;
	~Image()
	{
		if (handle)
			rbd_close(handle);
	}
};

std::string err_text(int rc)
{
	return errno_text(rc < 0 ? -rc : rc);
}

class RbdImageStore final : public ImageStore {
public:
	explicit RbdImageStore(RbdSettings settings) : settings_(std::move(settings)) {}
	// The ioctx must go before the cluster it belongs to.
	~RbdImageStore() override
	{
		io_.reset();
		cluster_.reset();
	}

	hps::Result<std::optional<std::uint64_t>, std::string> size_of(const std::string& name) override
	{
		if (auto c = connect(); !c)
			return fail(c.error());
		Image image;
		int rc = rbd_open_read_only(io_->handle, name.c_str(), &image.handle, nullptr);
		if (rc == -ENOENT)
			return std::optional<std::uint64_t>();
		if (rc < 0)
			return fail("cannot open RBD image " + describe(name) + ": " + err_text(rc));
		std::uint64_t size = 0;
		rc = rbd_get_size(image.handle, &size);
		if (rc < 0)
			return fail("cannot read the size of RBD image " + describe(name) + ": " +
				    err_text(rc));
		return std::optional(size);
	}

	hps::Result<void, std::string> create(const std::string& name, std::uint64_t size) override
	{
		if (auto c = connect(); !c)
			return fail(c.error());
		int order = 0; // librbd's default object size
		// Layering only, no exclusive-lock (nor the object-map,
		// fast-diff and journaling that need it): hpsd opens every image
		// from two librbd clients, the channel's backend and the
		// writeback writer, which with the default features would pass
		// the lock back and forth on every write, and after a kill -9
		// the next hpsd would wait for the dead client's lock.  hpsd is
		// the only writer of its images; the exclusive lock comes back
		// with promotion, when two nodes may try to write (replication).
		int rc = rbd_create2(io_->handle, name.c_str(), size, RBD_FEATURE_LAYERING, &order);
		if (rc < 0)
			return fail("cannot create RBD image " + describe(name) + ": " + err_text(rc));
		return {};
	}

	hps::Result<void, std::string> remove(const std::string& name) override
	{
		if (auto c = connect(); !c)
			return fail(c.error());
		int rc = rbd_remove(io_->handle, name.c_str());
		if (rc < 0 && rc != -ENOENT)
			return fail("cannot remove RBD image " + describe(name) + ": " + err_text(rc));
		return {};
	}

	std::string describe(const std::string& name) const override
	{
		return settings_.pool + "/" + name;
	}

private:
	hps::Result<void, std::string> connect()
	{
		if (io_)
			return {};
		const std::string where = "Ceph (" + settings_.conf + ", client." + settings_.client +
					  ", pool " + settings_.pool + "): ";
		auto cluster = std::make_unique<Cluster>();
		int rc = rados_create2(&cluster->handle, "ceph",
				       ("client." + settings_.client).c_str(), 0);
		if (rc < 0)
			return fail(where + "cannot create a client: " + err_text(rc));
		rc = rados_conf_read_file(cluster->handle, settings_.conf.c_str());
		if (rc < 0)
			return fail(where + "cannot read the config: " + err_text(rc));
		// A control request must not hang for librados's default 5 min
		// when the cluster is down.
		rados_conf_set(cluster->handle, "client_mount_timeout", "15");
		rados_conf_set(cluster->handle, "rados_mon_op_timeout", "15");
		rados_conf_set(cluster->handle, "rados_osd_op_timeout", "30");
		rc = rados_connect(cluster->handle);
		if (rc < 0)
			return fail(where + "cannot connect: " + err_text(rc));
		auto io = std::make_unique<IoCtx>();
		rc = rados_ioctx_create(cluster->handle, settings_.pool.c_str(), &io->handle);
		if (rc < 0)
			return fail(where + "cannot open the pool: " + err_text(rc));
		cluster_ = std::move(cluster);
		io_ = std::move(io);
		return {};
	}

	RbdSettings settings_;
	std::unique_ptr<Cluster> cluster_;
	std::unique_ptr<IoCtx> io_;
};

} // namespace

std::unique_ptr<ImageStore> make_rbd_image_store(RbdSettings settings)
{
	return std::make_unique<RbdImageStore>(std::move(settings));
}

} // namespace hps::volume
