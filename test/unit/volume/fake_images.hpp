// SPDX-License-Identifier: GPL-2.0-only
// The RBD images and RADOS objects of one pool as Ceph keeps them, for the
// volume logic's unit tests: advisory locks, the OSD blocklist, image
// metadata and small objects.
#pragma once

#include "volume/image_store.hpp"

#include <cerrno>
#include <map>
#include <string>
#include <vector>

namespace hps::volume::test {

// An image's advisory lock and the OSD blocklist, as Ceph keeps them;
// `calls` records the fencing steps in order.
class FakeImages final : public ImageStore {
public:
	std::vector<std::string> mine{"10.0.0.1:0/11", "10.0.0.1:0/12"};
	std::vector<ImageLocker> locks;
	std::vector<std::string> calls;
	bool ceph_down = false;
	bool blocklisted = false; // lockers() answers -ESHUTDOWN

	hps::Result<std::optional<std::uint64_t>, std::string> size_of(const std::string&) override
	{
		return std::optional<std::uint64_t>();
	}
	hps::Result<void, std::string> create(const std::string&, std::uint64_t) override { return {}; }
	hps::Result<void, std::string> remove(const std::string&) override { return {}; }
	std::string describe(const std::string& image) const override { return "rbd/" + image; }

	hps::Result<std::vector<std::string>, std::string> client_addresses() override
	{
		if (ceph_down)
			return hps::fail(std::string("Ceph: cannot connect: timed out"));
		return mine;
	}
	hps::Result<std::vector<ImageLocker>, ImageError> lockers(const std::string&) override
	{
		if (blocklisted)
			return hps::fail(ImageError{-ESHUTDOWN, "cannot list locks: Cannot send after transport endpoint shutdown"});
		if (ceph_down)
			return hps::fail(ImageError{-ETIMEDOUT, "cannot list locks: Connection timed out"});
		return locks;
	}
	hps::Result<void, std::string> lock(const std::string&, const std::string& cookie) override
	{
		if (!locks.empty())
			return hps::fail(std::string("cannot lock: Device or resource busy"));
		calls.push_back("lock");
		locks.push_back({"client.1", cookie, mine[0]});
		return {};
	}
	hps::Result<void, std::string> unlock(const std::string&, const std::string& cookie) override
	{
		calls.push_back("unlock");
		std::erase_if(locks, [&](const ImageLocker& l) { return l.cookie == cookie; });
		return {};
	}
	hps::Result<void, std::string> break_lock(const std::string&, const ImageLocker& locker) override
	{
		calls.push_back("break " + locker.client);
		std::erase_if(locks, [&](const ImageLocker& l) { return l.client == locker.client; });
		return {};
	}
	hps::Result<void, std::string> blocklist(const std::string& address) override
	{
		calls.push_back("blocklist " + address);
		return {};
	}

	std::map<std::string, std::string> meta;
	int meta_errno = 0; // set_metadata fails with it
	hps::Result<std::optional<std::string>, ImageError> metadata(const std::string&,
								     const std::string& key) override
	{
		auto it = meta.find(key);
		return it == meta.end() ? std::optional<std::string>() : std::optional(it->second);
	}
	hps::Result<void, ImageError> set_metadata(const std::string&, const std::string& key,
						   const std::string& value) override
	{
		if (meta_errno)
			return hps::fail(ImageError{meta_errno, "cannot set " + key});
		meta[key] = value;
		return {};
	}
	hps::Result<void, ImageError> remove_metadata(const std::string&, const std::string& key) override
	{
		meta.erase(key);
		return {};
	}

	// RADOS objects (cluster_ids.hpp); `ceph_down` fails them too.
	std::map<std::string, std::string> objects;
	hps::Result<bool, std::string> create_object(const std::string& oid,
						     const std::string& content) override
	{
		if (ceph_down)
			return hps::fail(std::string("Ceph: cannot connect: timed out"));
		return objects.emplace(oid, content).second;
	}
	hps::Result<std::optional<std::string>, std::string>
	read_object(const std::string& oid) override
	{
		if (ceph_down)
			return hps::fail(std::string("Ceph: cannot connect: timed out"));
		auto it = objects.find(oid);
		return it == objects.end() ? std::optional<std::string>() : std::optional(it->second);
	}
	hps::Result<void, std::string> write_object(const std::string& oid,
						    const std::string& content) override
	{
		if (ceph_down)
			return hps::fail(std::string("Ceph: cannot connect: timed out"));
		objects[oid] = content;
		return {};
	}
	hps::Result<void, std::string> remove_object(const std::string& oid) override
	{
		if (ceph_down)
			return hps::fail(std::string("Ceph: cannot connect: timed out"));
		objects.erase(oid);
		return {};
	}
};

} // namespace hps::volume::test

