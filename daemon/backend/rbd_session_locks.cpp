// SPDX-License-Identifier: GPL-2.0-only
// RbdSession's fencing calls: the image's advisory lock and the OSD
// blocklist.  Taking, releasing and breaking the lock open the image for
// themselves (no share, no effect on the images the session's users hold
// open): advisory locks belong to the client, not to an open image, so
// they outlive the close.  Listing the lockers reads the header object
// directly (see lockers()).
#include "backend/rbd_session.hpp"

#include "util/errno_text.hpp"

#include <rados/librados.h>
#include <rbd/librbd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace hpsd::backend {
namespace {

struct CloseImage {
	void operator()(void* image) const noexcept { rbd_close(static_cast<rbd_image_t>(image)); }
};
using ImageHandle = std::unique_ptr<void, CloseImage>;

// "a\0b\0" (len bytes) -> {"a", "b"}.
std::vector<std::string> split_nul(const std::vector<char>& buffer, std::size_t len)
{
	std::vector<std::string> out;
	std::size_t at = 0;
	while (at < len && at < buffer.size()) {
		std::string item(buffer.data() + at);
		at += item.size() + 1;
		out.push_back(std::move(item));
	}
	return out;
}

// One address of rados_getaddrs's "[v2:1.2.3.4:0/99,v1:1.2.3.4:0/99]" or
// "1.2.3.4:0/99", without its type prefix: what `osd blocklist add` takes.
std::vector<std::string> parse_addresses(std::string_view text)
{
	std::vector<std::string> out;
	if (!text.empty() && text.front() == '[')
		text.remove_prefix(1);
	if (!text.empty() && text.back() == ']')
		text.remove_suffix(1);
	while (!text.empty()) {
		auto comma = text.find(',');
		std::string_view one = text.substr(0, comma);
		text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
		for (std::string_view prefix : {"v1:", "v2:", "any:"})
			if (one.substr(0, prefix.size()) == prefix)
				one.remove_prefix(prefix.size());
		if (!one.empty() && std::find(out.begin(), out.end(), one) == out.end())
			out.emplace_back(one);
	}
	return out;
}

} // namespace

hps::Result<void*, RbdError> RbdSession::cluster()
{
	std::lock_guard lock(mutex_);
	if (auto io = connect_locked(); !io)
		return hps::fail(std::move(io).error());
	// Kept until the destructor, like the ioctx.
	return cluster_.get();
}

hps::Result<std::vector<std::string>, RbdError> RbdSession::addresses()
{
	auto handle = cluster();
	if (!handle)
		return hps::fail(std::move(handle).error());
	char* text = nullptr;
	if (int r = rados_getaddrs(static_cast<rados_t>(*handle), &text); r < 0)
		return hps::fail(RbdError{r, "cannot read this Ceph client's address: " + hps::rc_text(r)});
	auto out = parse_addresses(text ? text : "");
	rados_buffer_free(text);
	if (out.empty())
		return hps::fail(RbdError{-EINVAL, "Ceph reported no address for this client"});
	return out;
}

hps::Result<void*, RbdError> RbdSession::open_for_lock(const std::string& name)
{
	auto io = ioctx();
	if (!io)
		return hps::fail(std::move(io).error());
	rbd_image_t image = nullptr;
	if (int r = rbd_open(static_cast<rados_ioctx_t>(*io), name.c_str(), &image, nullptr); r < 0)
		return hps::fail(RbdError{
			r, "cannot open RBD image " + describe(name) + ": " + hps::rc_text(r)});
	return static_cast<void*>(image);
}

hps::Result<std::string, RbdError> RbdSession::header_object(const std::string& name)
{
	{
		std::lock_guard lock(headers_mutex_);
		if (auto it = header_objects_.find(name); it != header_objects_.end())
			return it->second;
	}
	auto io = ioctx();
	if (!io)
		return hps::fail(std::move(io).error());
	// rbd_id.<name> holds the id as an encoded string: a little-endian
	// 32-bit length, then the bytes.
	std::vector<char> buffer(4 + 256);
	const std::string id_object = "rbd_id." + name;
	const int n = rados_read(static_cast<rados_ioctx_t>(*io), id_object.c_str(), buffer.data(),
				 buffer.size(), 0);
	if (n < 0)
		return hps::fail(RbdError{n, "cannot find RBD image " + describe(name) + ": " +
						     hps::rc_text(n)});
	std::uint32_t length = 0;
	if (n >= 4)
		for (int i = 3; i >= 0; --i)
			length = length << 8 | static_cast<unsigned char>(buffer[i]);
	if (n < 4 || length == 0 || length > static_cast<std::uint32_t>(n - 4))
		return hps::fail(RbdError{-EINVAL, "RBD image " + describe(name) + ": " + id_object +
							   " does not hold an image id"});
	std::string header = "rbd_header." + std::string(buffer.data() + 4, length);
	std::lock_guard lock(headers_mutex_);
	header_objects_[name] = header;
	return header;
}

// The image's advisory lock is librbd's cls lock "rbd_lock" on its header
// object.  Read there with one OSD op (bounded by rados_osd_op_timeout),
// not through rbd_open, whose watch and refresh may wait without a bound
// on a link that went away mid-open -- the ownership lease asks this every
// few seconds, cut off or not.
hps::Result<std::vector<RbdLocker>, RbdError> RbdSession::lockers(const std::string& name)
{
	auto io = ioctx();
	if (!io)
		return hps::fail(std::move(io).error());
	// Twice: an id kept from an image since removed and made again.
	for (int pass = 0; pass < 2; ++pass) {
		auto header = header_object(name);
		if (!header)
			return hps::fail(std::move(header).error());
		// Sizes first (ERANGE fills them in), then the lists; a locker
		// added in between makes the second call ERANGE too, so try a
		// few times.
		ssize_t n = -ERANGE;
		int exclusive = 0;
		std::size_t tag_len = 256, clients_len = 4096, cookies_len = 4096, addrs_len = 4096;
		std::vector<char> tag, clients, cookies, addrs;
		for (int attempt = 0; attempt < 4 && n == -ERANGE; ++attempt) {
			tag.resize(tag_len);
			clients.resize(clients_len);
			cookies.resize(cookies_len);
			addrs.resize(addrs_len);
			n = rados_list_lockers(static_cast<rados_ioctx_t>(*io), header->c_str(),
					       "rbd_lock", &exclusive, tag.data(), &tag_len,
					       clients.data(), &clients_len, cookies.data(),
					       &cookies_len, addrs.data(), &addrs_len);
		}
		if (n == -ENOENT && pass == 0) {
			std::lock_guard lock(headers_mutex_);
			header_objects_.erase(name);
			continue;
		}
		if (n == -ERANGE)
			return hps::fail(RbdError{-ERANGE, "cannot list the locks of RBD image " +
								   describe(name) + ": they kept changing"});
		if (n < 0)
			return hps::fail(RbdError{static_cast<int>(n),
						  "cannot list the locks of RBD image " +
							  describe(name) + ": " +
							  hps::rc_text(static_cast<int>(n))});
		auto c = split_nul(clients, clients_len);
		auto k = split_nul(cookies, cookies_len);
		auto a = split_nul(addrs, addrs_len);
		std::vector<RbdLocker> out;
		for (std::size_t i = 0; i < static_cast<std::size_t>(n) && i < c.size(); ++i)
			out.push_back({c[i], i < k.size() ? k[i] : std::string(),
				       i < a.size() ? a[i] : std::string()});
		return out;
	}
	return hps::fail(RbdError{-ENOENT, "cannot find RBD image " + describe(name)});
}

hps::Result<void, RbdError> RbdSession::lock(const std::string& name, const std::string& cookie)
{
	auto opened = open_for_lock(name);
	if (!opened)
		return hps::fail(std::move(opened).error());
	ImageHandle image(*opened);
	if (int r = rbd_lock_exclusive(static_cast<rbd_image_t>(image.get()), cookie.c_str());
	    r < 0)
		return hps::fail(RbdError{r, "cannot lock RBD image " + describe(name) + ": " +
						     hps::rc_text(r)});
	return {};
}

hps::Result<void, RbdError> RbdSession::unlock(const std::string& name, const std::string& cookie)
{
	auto opened = open_for_lock(name);
	if (!opened)
		return hps::fail(std::move(opened).error());
	ImageHandle image(*opened);
	if (int r = rbd_unlock(static_cast<rbd_image_t>(image.get()), cookie.c_str()); r < 0)
		return hps::fail(RbdError{r, "cannot unlock RBD image " + describe(name) + ": " +
						     hps::rc_text(r)});
	return {};
}

hps::Result<void, RbdError> RbdSession::break_lock(const std::string& name,
						   const RbdLocker& locker)
{
	auto opened = open_for_lock(name);
	if (!opened)
		return hps::fail(std::move(opened).error());
	ImageHandle image(*opened);
	int r = rbd_break_lock(static_cast<rbd_image_t>(image.get()), locker.client.c_str(),
			       locker.cookie.c_str());
	if (r < 0 && r != -ENOENT) // gone meanwhile: what breaking wanted
		return hps::fail(RbdError{r, "cannot break " + locker.client + "'s lock on RBD image " +
						     describe(name) + ": " + hps::rc_text(r)});
	return {};
}

hps::Result<void, RbdError> RbdSession::blocklist(const std::string& address)
{
	auto handle = this->cluster();
	if (!handle)
		return hps::fail(std::move(handle).error());
	auto cluster = static_cast<rados_t>(*handle);
	std::string text = address; // librados takes a char*
	if (int r = rados_blocklist_add(cluster, text.data(), 0); r < 0)
		return hps::fail(RbdError{r, "cannot blocklist Ceph client " + address + ": " +
						     hps::rc_text(r)});
	if (int r = rados_wait_for_latest_osdmap(cluster); r < 0)
		return hps::fail(RbdError{r, "blocklisted Ceph client " + address +
						     ", but cannot fetch the OSD map that says so: " +
						     hps::rc_text(r)});
	return {};
}

hps::Result<std::optional<std::string>, RbdError> RbdSession::metadata(const std::string& name,
									 const std::string& key)
{
	auto opened = open_for_lock(name);
	if (!opened)
		return hps::fail(std::move(opened).error());
	ImageHandle image(*opened);
	std::vector<char> value(256);
	for (int attempt = 0; attempt < 3; ++attempt) {
		std::size_t len = value.size();
		int r = rbd_metadata_get(static_cast<rbd_image_t>(image.get()), key.c_str(),
					 value.data(), &len);
		if (r == -ENOENT)
			return std::optional<std::string>();
		if (r == -ERANGE) {
			value.resize(len);
			continue;
		}
		if (r < 0)
			return hps::fail(RbdError{r, "cannot read " + key + " of RBD image " +
							     describe(name) + ": " + hps::rc_text(r)});
		return std::optional<std::string>(std::string(value.data(), strnlen(value.data(), len)));
	}
	return hps::fail(RbdError{-ERANGE, "cannot read " + key + " of RBD image " + describe(name) +
						   ": it kept growing"});
}

hps::Result<void, RbdError> RbdSession::set_metadata(const std::string& name,
						     const std::string& key,
						     const std::string& value)
{
	auto opened = open_for_lock(name);
	if (!opened)
		return hps::fail(std::move(opened).error());
	ImageHandle image(*opened);
	if (int r = rbd_metadata_set(static_cast<rbd_image_t>(image.get()), key.c_str(),
				     value.c_str());
	    r < 0)
		return hps::fail(RbdError{r, "cannot set " + key + " of RBD image " + describe(name) +
						     ": " + hps::rc_text(r)});
	return {};
}

hps::Result<void, RbdError> RbdSession::remove_metadata(const std::string& name,
							const std::string& key)
{
	auto opened = open_for_lock(name);
	if (!opened)
		return hps::fail(std::move(opened).error());
	ImageHandle image(*opened);
	if (int r = rbd_metadata_remove(static_cast<rbd_image_t>(image.get()), key.c_str());
	    r < 0 && r != -ENOENT)
		return hps::fail(RbdError{r, "cannot remove " + key + " of RBD image " +
						     describe(name) + ": " + hps::rc_text(r)});
	return {};
}

} // namespace hpsd::backend
