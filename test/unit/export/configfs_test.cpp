// SPDX-License-Identifier: GPL-2.0-only
#include "export/configfs.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <filesystem>

using namespace hpsd::exports;
using hps::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("configfs seam: attributes are read without the newline, written whole")
{
	TempDir dir;
	PosixConfigfs cfs(dir.path().string());
	hps::test::write_file(dir.path() / "enable", "1\n");
	CHECK(cfs.read("enable").value() == "1");
	REQUIRE(cfs.write("enable", "0").ok());
	CHECK(hps::test::read_file(dir.path() / "enable") == "0");
	REQUIRE(cfs.write("enable", "").ok());
	CHECK(cfs.read("enable").value().empty());
}

TEST_CASE("configfs seam: errors carry errno and name the full path")
{
	TempDir dir;
	PosixConfigfs cfs(dir.path().string());
	auto missing = cfs.read("nvmet/ports/1/addr_traddr");
	REQUIRE_FALSE(missing.ok());
	CHECK(missing.error().code == ENOENT);
	CHECK(missing.error().message ==
	      dir.path().string() + "/nvmet/ports/1/addr_traddr: No such file or directory");
	auto listed = cfs.list("nope");
	REQUIRE_FALSE(listed.ok());
	CHECK(listed.error().code == ENOENT);
	CHECK(cfs.describe("a/b") == dir.path().string() + "/a/b");
}

TEST_CASE("configfs seam: make_dir says whether it made the directory")
{
	TempDir dir;
	PosixConfigfs cfs(dir.path().string());
	CHECK(cfs.make_dir("d").value() == true);
	CHECK(cfs.make_dir("d").value() == false);
	hps::test::write_file(dir.path() / "f", "x");
	auto over_file = cfs.make_dir("f");
	REQUIRE_FALSE(over_file.ok());
	CHECK(over_file.error().code == EEXIST);
	auto no_parent = cfs.make_dir("x/y");
	REQUIRE_FALSE(no_parent.ok());
	CHECK(no_parent.error().code == ENOENT);
}

TEST_CASE("configfs seam: list is sorted, exists sees links too")
{
	TempDir dir;
	PosixConfigfs cfs(dir.path().string());
	for (const char* name : {"b", "a", "c"})
		REQUIRE(cfs.make_dir(name).ok());
	REQUIRE(cfs.symlink("a", "c/to-a").ok());
	CHECK(cfs.list("").value() == std::vector<std::string>{"a", "b", "c"});
	CHECK(cfs.exists("c/to-a").value());
	CHECK_FALSE(cfs.exists("c/nothing").value());
	CHECK(fs::read_symlink(dir.path() / "c/to-a") == dir.path() / "a");
}

TEST_CASE("configfs seam: on a plain tree remove_dir takes an item's files and groups along")
{
	TempDir dir;
	PosixConfigfs cfs(dir.path().string());
	REQUIRE(cfs.make_dir("sub").ok());
	REQUIRE(cfs.make_dir("sub/namespaces").ok());
	REQUIRE(cfs.write("sub/attr_model", "hps").ok());
	REQUIRE(cfs.write("sub/namespaces/leftover", "x").ok());
	REQUIRE(cfs.remove_dir("sub").ok());
	CHECK_FALSE(fs::exists(dir.path() / "sub"));
}

TEST_CASE("configfs seam: remove_dir keeps an item with a link inside, whole")
{
	TempDir dir;
	PosixConfigfs cfs(dir.path().string());
	REQUIRE(cfs.make_dir("host").ok());
	REQUIRE(cfs.make_dir("sub").ok());
	REQUIRE(cfs.make_dir("sub/allowed_hosts").ok());
	REQUIRE(cfs.write("sub/attr_model", "hps").ok());
	REQUIRE(cfs.symlink("host", "sub/allowed_hosts/host").ok());
	auto removed = cfs.remove_dir("sub");
	REQUIRE_FALSE(removed.ok());
	CHECK(removed.error().code == ENOTEMPTY);
	CHECK(fs::exists(dir.path() / "sub/attr_model"));
	CHECK(fs::is_symlink(dir.path() / "sub/allowed_hosts/host"));
}

TEST_CASE("configfs seam: unlink takes links only")
{
	TempDir dir;
	PosixConfigfs cfs(dir.path().string());
	REQUIRE(cfs.write("attr", "1").ok());
	REQUIRE(cfs.symlink("attr", "link").ok());
	auto attr = cfs.unlink("attr");
	REQUIRE_FALSE(attr.ok());
	CHECK(attr.error().code == EPERM);
	CHECK(fs::exists(dir.path() / "attr"));
	REQUIRE(cfs.unlink("link").ok());
	CHECK_FALSE(fs::is_symlink(dir.path() / "link"));
}
