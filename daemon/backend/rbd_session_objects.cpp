// SPDX-License-Identifier: GPL-2.0-only
// RbdSession's small RADOS objects in the pool: cluster-wide names that
// only one node may take (a volume id, say).  Exclusive creation is the
// OSD's own compare-and-set, so two nodes racing for one name cannot both
// win, with no lock service of hps's own.
#include "backend/rbd_session.hpp"

#include "util/errno_text.hpp"

#include <rados/librados.h>

#include <cerrno>
#include <memory>
#include <vector>

namespace hpsd::backend {
namespace {

struct ReleaseWriteOp {
	void operator()(void* op) const noexcept
	{
		rados_release_write_op(static_cast<rados_write_op_t>(op));
	}
};

// Objects this holds are a few dozen bytes; anything longer is not ours.
constexpr std::size_t max_object_bytes = 4096;

} // namespace

hps::Result<bool, RbdError> RbdSession::create_object(const std::string& oid,
						      const std::string& content)
{
	auto io = ioctx();
	if (!io)
		return hps::fail(std::move(io).error());
	std::unique_ptr<void, ReleaseWriteOp> op(rados_create_write_op());
	if (!op)
		return hps::fail(RbdError{-ENOMEM, "cannot create RADOS object " + describe(oid) +
							   ": out of memory"});
	auto* w = static_cast<rados_write_op_t>(op.get());
	rados_write_op_create(w, LIBRADOS_CREATE_EXCLUSIVE, nullptr);
	rados_write_op_write_full(w, content.data(), content.size());
	int r = rados_write_op_operate(w, static_cast<rados_ioctx_t>(*io), oid.c_str(), nullptr, 0);
	if (r == -EEXIST)
		return false;
	if (r < 0)
		return hps::fail(RbdError{r, "cannot create RADOS object " + describe(oid) + ": " +
						     hps::rc_text(r)});
	return true;
}

hps::Result<std::optional<std::string>, RbdError> RbdSession::read_object(const std::string& oid)
{
	auto io = ioctx();
	if (!io)
		return hps::fail(std::move(io).error());
	std::vector<char> buffer(max_object_bytes);
	int r = rados_read(static_cast<rados_ioctx_t>(*io), oid.c_str(), buffer.data(),
			   buffer.size(), 0);
	if (r == -ENOENT)
		return std::optional<std::string>();
	if (r < 0)
		return hps::fail(RbdError{r, "cannot read RADOS object " + describe(oid) + ": " +
						     hps::rc_text(r)});
	return std::optional<std::string>(std::string(buffer.data(), static_cast<std::size_t>(r)));
}

hps::Result<void, RbdError> RbdSession::write_object(const std::string& oid,
						     const std::string& content)
{
	auto io = ioctx();
	if (!io)
		return hps::fail(std::move(io).error());
	if (int r = rados_write_full(static_cast<rados_ioctx_t>(*io), oid.c_str(), content.data(),
				     content.size());
	    r < 0)
		return hps::fail(RbdError{r, "cannot write RADOS object " + describe(oid) + ": " +
						     hps::rc_text(r)});
	return {};
}

hps::Result<void, RbdError> RbdSession::remove_object(const std::string& oid)
{
	auto io = ioctx();
	if (!io)
		return hps::fail(std::move(io).error());
	if (int r = rados_remove(static_cast<rados_ioctx_t>(*io), oid.c_str()); r < 0 && r != -ENOENT)
		return hps::fail(RbdError{r, "cannot remove RADOS object " + describe(oid) + ": " +
						     hps::rc_text(r)});
	return {};
}

} // namespace hpsd::backend
