// SPDX-License-Identifier: GPL-2.0-only
// Who holds a replicated volume's RBD image: the cookie, taking a free
// image, taking it back from this node's earlier hpsd, refusing another
// node's at start, and a promotion fencing (blocklisting) before breaking.
#include "volume/ownership.hpp"

#include "fake_images.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <map>

using namespace hps::volume;
using hps::volume::test::FakeImages;

namespace {

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

TEST_CASE("the ownership lease is confirmed only by this hpsd's own lock", "[volume][ownership]")
{
	FakeImages images;
	// No lock at all (an admin's rbd lock rm, a promotion half done): not
	// confirmed, but not final either.
	auto none = confirm_ownership(images, "r1", "stor-1");
	CHECK(none.state == Ownership::unknown);
	CHECK(none.why.find("not locked") != std::string::npos);

	REQUIRE(claim_image(images, "r1", "stor-1", ClaimMode::keep));
	CHECK(confirm_ownership(images, "r1", "stor-1").state == Ownership::held);

	// Another node took it: final.
	images.locks = {held_by("stor-2", {"10.0.0.2:0/7"})};
	auto taken = confirm_ownership(images, "r1", "stor-1");
	CHECK(taken.state == Ownership::taken);
	CHECK(taken.why.find("stor-2") != std::string::npos);

	// This node's earlier hpsd (other addresses): not this one's lease.
	images.locks = {held_by("stor-1", {"10.0.0.1:0/99"})};
	CHECK(confirm_ownership(images, "r1", "stor-1").state == Ownership::unknown);
}

TEST_CASE("a blocklisted client's lease is taken, a silent Ceph's unknown", "[volume][ownership]")
{
	FakeImages images;
	REQUIRE(claim_image(images, "r1", "stor-1", ClaimMode::keep));
	images.blocklisted = true;
	CHECK(confirm_ownership(images, "r1", "stor-1").state == Ownership::taken);
	CHECK(record_peer_outdated(images, "r1", "stor-1", "stor-2").result == OutdatedResult::fenced);
	images.blocklisted = false;
	images.ceph_down = true;
	auto silent = confirm_ownership(images, "r1", "stor-1");
	CHECK(silent.state == Ownership::unknown);
	CHECK_FALSE(silent.why.empty());
}
