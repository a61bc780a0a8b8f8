// SPDX-License-Identifier: GPL-2.0-only
// Who holds a replicated volume's RBD image: the cookie, taking a free
// image, taking it back from this node's earlier hpsd, refusing another
// node's at start, and a promotion fencing (blocklisting) before breaking.
#include "volume/ownership.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <map>

using namespace hps::volume;

namespace {

// An image's advisory lock and the OSD blocklist, as Ceph keeps them;
// `calls` records the fencing steps in order.
class FakeImages final : public ImageStore {
public:
	std::vector<std::string> mine{"10.0.0.1:0/11", "10.0.0.1:0/12"};
	std::vector<ImageLocker> locks;
	std::vector<std::string> calls;
	bool ceph_down = false;

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
	hps::Result<std::vector<ImageLocker>, std::string> lockers(const std::string&) override
	{
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
};

ImageLocker held_by(const std::string& node, std::vector<std::string> addrs,
		    const std::string& client = "client.9")
{
	const std::string first = addrs.front();
	return {client, format_owner_cookie({node, std::move(addrs)}), first};
}

} // namespace

TEST_CASE("owner cookie round trip and rejects", "[volume][ownership]")
{
	OwnerCookie c{"stor-1", {"10.0.0.1:0/1", "10.0.0.1:0/2"}};
	const auto text = format_owner_cookie(c);
	CHECK(text == "hps-owner node=stor-1 addrs=10.0.0.1:0/1,10.0.0.1:0/2");
	auto back = parse_owner_cookie(text);
	REQUIRE(back);
	CHECK(back->node == "stor-1");
	CHECK(back->addresses == c.addresses);
	CHECK_FALSE(parse_owner_cookie("auto 1234"));
	CHECK_FALSE(parse_owner_cookie("hps-owner node= addrs=a"));
	CHECK_FALSE(parse_owner_cookie("hps-owner node=x addrs=a,,b"));
	CHECK_FALSE(parse_owner_cookie("hps-owner nodex addrs=a"));
}

TEST_CASE("a free image is locked with this node's cookie", "[volume][ownership]")
{
	FakeImages images;
	auto claim = claim_image(images, "r1", "stor-1", ClaimMode::keep);
	REQUIRE(claim);
	CHECK(claim->held);
	CHECK_FALSE(claim->already);
	REQUIRE(images.locks.size() == 1);
	CHECK(parse_owner_cookie(images.locks[0].cookie)->node == "stor-1");
	CHECK(images.calls == std::vector<std::string>{"lock"});

	// Again: nothing changes.
	images.calls.clear();
	auto again = claim_image(images, "r1", "stor-1", ClaimMode::keep);
	REQUIRE(again);
	CHECK(again->held);
	CHECK(again->already);
	CHECK(images.calls.empty());
}

TEST_CASE("at start another node's lock means this copy was replaced", "[volume][ownership]")
{
	FakeImages images;
	images.locks.push_back(held_by("stor-2", {"10.0.0.2:0/5"}));
	auto claim = claim_image(images, "r1", "stor-1", ClaimMode::keep);
	REQUIRE(claim);
	CHECK_FALSE(claim->held);
	CHECK(claim->owner == "stor-2");
	CHECK(images.calls.empty()); // nothing fenced, nothing taken
}

TEST_CASE("this node's earlier hpsd is fenced and its lock taken back", "[volume][ownership]")
{
	FakeImages images;
	images.locks.push_back(held_by("stor-1", {"10.0.0.1:0/7", "10.0.0.1:0/8"}));
	auto claim = claim_image(images, "r1", "stor-1", ClaimMode::keep);
	REQUIRE(claim);
	CHECK(claim->held);
	CHECK(claim->fenced_node == "stor-1");
	CHECK(images.calls == std::vector<std::string>{"blocklist 10.0.0.1:0/7",
							"blocklist 10.0.0.1:0/8", "break client.9",
							"lock"});
}

TEST_CASE("promotion blocklists every client of the old primary before breaking its lock",
	  "[volume][ownership]")
{
	FakeImages images;
	// The locker's own address differs from the cookie's: both fenced.
	images.locks.push_back({"client.9",
				format_owner_cookie({"stor-2", {"10.0.0.2:0/5", "10.0.0.2:0/6"}}),
				"10.0.0.2:0/4"});
	auto claim = claim_image(images, "r1", "stor-1", ClaimMode::take_over);
	REQUIRE(claim);
	CHECK(claim->held);
	CHECK(claim->fenced_node == "stor-2");
	CHECK(claim->fenced ==
	      std::vector<std::string>{"10.0.0.2:0/5", "10.0.0.2:0/6", "10.0.0.2:0/4"});
	CHECK(images.calls == std::vector<std::string>{"blocklist 10.0.0.2:0/5",
							"blocklist 10.0.0.2:0/6",
							"blocklist 10.0.0.2:0/4", "break client.9",
							"lock"});
	REQUIRE(images.locks.size() == 1);
	CHECK(parse_owner_cookie(images.locks[0].cookie)->node == "stor-1");
}

TEST_CASE("a lock that is not hps's is never broken", "[volume][ownership]")
{
	FakeImages images;
	images.locks.push_back({"client.3", "auto 140234", "10.0.0.3:0/1"});
	auto claim = claim_image(images, "r1", "stor-1", ClaimMode::take_over);
	REQUIRE_FALSE(claim);
	CHECK(claim.error().find("client.3") != std::string::npos);
	CHECK(claim.error().find("rbd lock rm") != std::string::npos);
	CHECK(images.calls.empty());
}

TEST_CASE("without Ceph nothing is claimed", "[volume][ownership]")
{
	FakeImages images;
	images.ceph_down = true;
	auto claim = claim_image(images, "r1", "stor-1", ClaimMode::keep);
	REQUIRE_FALSE(claim);
	CHECK(claim.error().find("rbd/r1") != std::string::npos);
	CHECK(images.calls.empty());
}

TEST_CASE("release unlocks only this node's own lock", "[volume][ownership]")
{
	FakeImages images;
	images.locks.push_back(held_by("stor-2", {"10.0.0.2:0/5"}));
	REQUIRE(release_image_claim(images, "r1", "stor-1"));
	CHECK(images.locks.size() == 1);
	images.locks.clear();
	REQUIRE(claim_image(images, "r1", "stor-1", ClaimMode::keep));
	REQUIRE(release_image_claim(images, "r1", "stor-1"));
	CHECK(images.locks.empty());
}

TEST_CASE("the peer is recorded outdated only by the image's holder", "[volume][ownership]")
{
	FakeImages images;
	REQUIRE(claim_image(images, "r1", "stor-1", ClaimMode::keep));
	auto r = record_peer_outdated(images, "r1", "stor-1", "stor-2");
	CHECK(r.result == OutdatedResult::recorded);
	CHECK(outdated_copy(images, "r1").value() == std::optional<std::string>("stor-2"));
	REQUIRE(clear_peer_outdated(images, "r1"));
	CHECK_FALSE(outdated_copy(images, "r1").value());

	// Replaced: another node holds the image; nothing is written.
	images.locks = {held_by("stor-2", {"10.0.0.2:0/5"})};
	r = record_peer_outdated(images, "r1", "stor-1", "stor-2");
	CHECK(r.result == OutdatedResult::fenced);
	CHECK(r.why.find("stor-2") != std::string::npos);
	CHECK(images.meta.empty());
}

TEST_CASE("a blocklisted client is fenced, other Ceph errors are retried", "[volume][ownership]")
{
	FakeImages images;
	REQUIRE(claim_image(images, "r1", "stor-1", ClaimMode::keep));
	images.meta_errno = -ESHUTDOWN;
	CHECK(record_peer_outdated(images, "r1", "stor-1", "stor-2").result == OutdatedResult::fenced);
	images.meta_errno = -ETIMEDOUT;
	CHECK(record_peer_outdated(images, "r1", "stor-1", "stor-2").result == OutdatedResult::failed);
}
