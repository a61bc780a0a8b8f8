// SPDX-License-Identifier: GPL-2.0-only
#include "volume/registry.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

using hps::volume::Registry;
using hps::volume::VolumeRecord;

namespace {
VolumeRecord record(std::string name, std::uint32_t id)
{
	return VolumeRecord{name, id, 0, 1 << 20, name, hps::volume::VolumeRole::standalone, ""};
}
} // namespace

TEST_CASE("registry: a missing file is an empty registry")
{
	hps::test::TempDir dir;
	auto registry = Registry::load(dir.path());
	REQUIRE(registry.ok());
	CHECK(registry->volumes().empty());
	CHECK(registry->next_free_id() == 1);
}

TEST_CASE("registry: save and load round trip")
{
	hps::test::TempDir dir;
	Registry registry;
	REQUIRE(registry.add(VolumeRecord{"db1", 1, 2, 10737418240ULL, "db1-img", hps::volume::VolumeRole::standalone, ""}).ok());
	REQUIRE(registry.add(record("web", 7)).ok());
	REQUIRE(registry.save(dir.path()).ok());

	auto loaded = Registry::load(dir.path());
	REQUIRE(loaded.ok());
	REQUIRE(loaded->volumes().size() == 2);
	const auto* db1 = loaded->find_by_name("db1");
	REQUIRE(db1 != nullptr);
	CHECK(db1->id == 1);
	CHECK(db1->pool_id == 2);
	CHECK(db1->size_bytes == 10737418240ULL);
	CHECK(db1->image == "db1-img");
	REQUIRE(loaded->find_by_id(7) != nullptr);
	CHECK(loaded->find_by_id(7)->name == "web");
	CHECK(loaded->find_by_id(3) == nullptr);
	CHECK(loaded->find_by_name("nope") == nullptr);
	CHECK(loaded->next_free_id() == 8);
	// No temp file is left behind.
	CHECK_FALSE(std::filesystem::exists(dir.path() / "volumes.json.tmp"));
}

TEST_CASE("registry: the spec's format without next_id loads")
{
	auto registry = Registry::parse(
		R"({"volumes":[{"name":"a","id":3,"pool_id":0,"size_bytes":4096,"image":"a"}]})",
		"t");
	REQUIRE(registry.ok());
	CHECK(registry->next_free_id() == 4);
}

TEST_CASE("registry: ids are not reused after a delete")
{
	hps::test::TempDir dir;
	Registry registry;
	REQUIRE(registry.add(record("a", registry.next_free_id())).ok());
	REQUIRE(registry.add(record("b", registry.next_free_id())).ok());
	CHECK(registry.find_by_name("b")->id == 2);
	REQUIRE(registry.remove("b"));
	CHECK_FALSE(registry.remove("b"));
	CHECK(registry.next_free_id() == 3);
	REQUIRE(registry.save(dir.path()).ok());
	auto loaded = Registry::load(dir.path());
	REQUIRE(loaded.ok());
	CHECK(loaded->next_free_id() == 3);
}

TEST_CASE("registry: next id wraps past 2^32-1 and skips ids in use")
{
	Registry registry;
	REQUIRE(registry.add(record("a", 1)).ok());
	REQUIRE(registry.add(record("z", 0xffffffffU)).ok());
	CHECK(registry.next_free_id() == 2);
}

TEST_CASE("registry: add refuses duplicates and id 0 without a change")
{
	Registry registry;
	REQUIRE(registry.add(record("a", 1)).ok());
	auto same_name = registry.add(record("a", 2));
	REQUIRE_FALSE(same_name.ok());
	CHECK(same_name.error().find("\"a\"") != std::string::npos);
	auto same_id = registry.add(record("b", 1));
	REQUIRE_FALSE(same_id.ok());
	CHECK(same_id.error().find("id 1") != std::string::npos);
	CHECK_FALSE(registry.add(record("c", 0)).ok());
	CHECK(registry.volumes().size() == 1);
}

TEST_CASE("registry: malformed files name the file and the field")
{
	struct Case {
		const char* text;
		const char* expect;
	};
	const Case cases[] = {
		{"{", "not valid JSON"},
		{"[]", "not an object"},
		{"{}", "field \"volumes\" is missing"},
		{R"({"volumes":{}})", "field \"volumes\""},
		{R"({"volumes":[],"x":1})", "unknown field \"x\""},
		{R"({"volumes":[1]})", "volumes[0]"},
		{R"({"volumes":[{"name":"a","id":0,"pool_id":0,"size_bytes":1,"image":"a"}]})",
		 "volumes[0] field \"id\""},
		{R"({"volumes":[{"name":"a","id":4294967296,"pool_id":0,"size_bytes":1,"image":"a"}]})",
		 "field \"id\""},
		{R"({"volumes":[{"name":"a","id":1,"pool_id":0,"size_bytes":1}]})",
		 "field \"image\" is missing"},
		{R"({"volumes":[{"name":"","id":1,"pool_id":0,"size_bytes":1,"image":"a"}]})",
		 "field \"name\""},
		{R"({"volumes":[{"name":"a","id":1,"pool_id":-1,"size_bytes":1,"image":"a"}]})",
		 "field \"pool_id\""},
		{R"({"volumes":[{"name":"a","id":1,"pool_id":0,"size_bytes":1,"image":"a","y":2}]})",
		 "unknown field \"y\""},
		{R"({"volumes":[{"name":"a","id":1,"pool_id":0,"size_bytes":1,"image":"a"},
		                {"name":"a","id":2,"pool_id":0,"size_bytes":1,"image":"a"}]})",
		 "volumes[1] volume name \"a\" is already registered"},
	};
	for (const auto& c : cases) {
		auto registry = Registry::parse(c.text, "/x/volumes.json");
		INFO(c.text);
		REQUIRE_FALSE(registry.ok());
		CHECK(registry.error().find("/x/volumes.json") != std::string::npos);
		CHECK(registry.error().find(c.expect) != std::string::npos);
	}
}

TEST_CASE("registry: load of a malformed file is an error with its path")
{
	hps::test::TempDir dir;
	hps::test::write_file(dir.path() / "volumes.json", "{\"volumes\": 3}");
	auto registry = Registry::load(dir.path());
	REQUIRE_FALSE(registry.ok());
	CHECK(registry.error().find((dir.path() / "volumes.json").string()) != std::string::npos);
}

TEST_CASE("registry: save to a missing directory fails with a message")
{
	hps::test::TempDir dir;
	Registry registry;
	auto saved = registry.save(dir.path() / "nope");
	REQUIRE_FALSE(saved.ok());
	CHECK(saved.error().find("cannot create") != std::string::npos);
}
