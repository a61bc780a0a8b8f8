// SPDX-License-Identifier: GPL-2.0-only
// Cluster-wide volume ids: an id another node's volume holds is stepped
// over, a retry or an image's old id is taken back, a release leaves
// another image's id alone, and Ceph's errors come back as one line.
#include "volume/cluster_ids.hpp"

#include "fake_images.hpp"

#include <catch2/catch.hpp>

using namespace hps::volume;
using hps::volume::test::FakeImages;

namespace {

Registry with_ids(std::initializer_list<std::uint32_t> ids)
{
	Registry r;
	for (auto id : ids)
		REQUIRE(r.add({"local" + std::to_string(id), id, 1, 4096, "local" + std::to_string(id),
			       VolumeRole::standalone, ""}));
	return r;
}

} // namespace

TEST_CASE("volume ids are claimed in RADOS, past ids other nodes hold", "[volume][ids]")
{
	FakeImages ceph;
	Registry local;
	auto first = claim_volume_id(ceph, local, "db1");
	REQUIRE(first);
	CHECK(*first == 1);
	CHECK(ceph.objects.at("hps.volume_id.1") == "db1");
	CHECK(ceph.objects.at(volume_id_hint_object) == "2");

	// Another node took 2 and 3 without moving the hint past them.
	ceph.objects["hps.volume_id.2"] = "other-a";
	ceph.objects["hps.volume_id.3"] = "other-b";
	auto next = claim_volume_id(ceph, local, "db2");
	REQUIRE(next);
	CHECK(*next == 4);
	CHECK(ceph.objects.at("hps.volume_id.4") == "db2");
	CHECK(ceph.objects.at(volume_id_hint_object) == "5");
}

TEST_CASE("a volume id is free locally as well as in the cluster", "[volume][ids]")
{
	FakeImages ceph;
	// Ids this node has (made before ids were cluster-wide) are skipped.
	auto id = claim_volume_id(ceph, with_ids({1, 2}), "db1");
	REQUIRE(id);
	CHECK(*id == 3);
}

TEST_CASE("an id the image holds already is taken back", "[volume][ids]")
{
	FakeImages ceph;
	ceph.objects["hps.volume_id.7"] = "db1";
	ceph.objects[volume_id_hint_object] = "7";
	auto retry = claim_volume_id(ceph, Registry{}, "db1");
	REQUIRE(retry);
	CHECK(*retry == 7);

	// The image's old id, preferred, even with the hint elsewhere.
	ceph.objects[volume_id_hint_object] = "100";
	auto preferred = claim_volume_id(ceph, Registry{}, "db1", 7);
	REQUIRE(preferred);
	CHECK(*preferred == 7);

	// A preferred id another image holds is not taken.
	ceph.objects["hps.volume_id.9"] = "db9";
	auto other = claim_volume_id(ceph, Registry{}, "db1", 9);
	REQUIRE(other);
	CHECK(*other == 100);
}

TEST_CASE("a garbled hint starts from 1", "[volume][ids]")
{
	FakeImages ceph;
	ceph.objects[volume_id_hint_object] = "12x";
	auto id = claim_volume_id(ceph, Registry{}, "db1");
	REQUIRE(id);
	CHECK(*id == 1);
	CHECK(parse_volume_id("42") == 42);
	CHECK(parse_volume_id("") == 0);
	CHECK(parse_volume_id("4294967296") == 0);
	CHECK(parse_volume_id("-1") == 0);
}

TEST_CASE("allocation gives up after max_id_attempts taken ids", "[volume][ids]")
{
	FakeImages ceph;
	for (std::uint32_t id = 1; id <= max_id_attempts; ++id)
		ceph.objects[volume_id_object(id)] = "x" + std::to_string(id);
	auto id = claim_volume_id(ceph, Registry{}, "db1");
	REQUIRE_FALSE(id);
	CHECK(id.error().find("1024 ids in a row from 1") != std::string::npos);
}

TEST_CASE("Ceph down: allocation fails with Ceph's error", "[volume][ids]")
{
	FakeImages ceph;
	ceph.ceph_down = true;
	auto id = claim_volume_id(ceph, Registry{}, "db1");
	REQUIRE_FALSE(id);
	CHECK(id.error() == "cannot allocate a volume id: Ceph: cannot connect: timed out");
}

TEST_CASE("release frees only the image's own id", "[volume][ids]")
{
	FakeImages ceph;
	ceph.objects["hps.volume_id.1"] = "db1";
	ceph.objects["hps.volume_id.2"] = "db2";
	REQUIRE(release_volume_id(ceph, 1, "db1"));
	CHECK_FALSE(ceph.objects.contains("hps.volume_id.1"));
	REQUIRE(release_volume_id(ceph, 2, "db1"));
	CHECK(ceph.objects.contains("hps.volume_id.2"));
	REQUIRE(release_volume_id(ceph, 3, "db1")); // none: nothing to do
}
