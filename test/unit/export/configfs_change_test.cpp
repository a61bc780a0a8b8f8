// SPDX-License-Identifier: GPL-2.0-only
#include "export/configfs_change.hpp"
#include "fs_decorators.hpp"
#include "support/temp_dir.hpp"
#include "tree_snapshot.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace hpsd::exports;
using namespace hps::test;
namespace fs = std::filesystem;

namespace {

// One change of each kind, on a tree that has what the removals remove.
struct Bench {
	TempDir dir;
	PosixConfigfs posix{dir.path().string()};
	FailingConfigfs failer{posix};
	std::vector<Change> changes;

	Bench()
	{
		fs::create_directories(dir.path() / "old/group");
		write_file(dir.path() / "old/attr", "v");
		fs::create_directory(dir.path() / "links");
		write_file(dir.path() / "value", "old");
		fs::create_directory_symlink(dir.path() / "old", dir.path() / "links/gone");
		changes = {
			Change::make_dir("new", {"group"}),
			Change::write("new/attr", "1", std::nullopt),
			Change::write("value", "new", "old"),
			Change::unlink("links/gone", "old"),
			Change::remove_dir("old", {"group"}, {{"attr", "v"}}),
			Change::symlink("new", "links/made"),
		};
	}
};

} // namespace

TEST_CASE("configfs changes: made in order")
{
	Bench bench;
	REQUIRE(apply_changes(bench.failer, bench.changes).ok());
	const auto root = bench.dir.path();
	CHECK(read_file(root / "new/attr") == "1");
	CHECK(fs::is_directory(root / "new/group"));
	CHECK(read_file(root / "value") == "new");
	CHECK_FALSE(fs::exists(root / "old"));
	CHECK_FALSE(fs::is_symlink(root / "links/gone"));
	CHECK(fs::read_symlink(root / "links/made") == root / "new");
}

TEST_CASE("configfs changes: a failure undoes the changes before it")
{
	// Seven calls: the make_dir is two (the item and its group).
	for (std::size_t n = 0; n < 7; n++) {
		Bench bench;
		const auto before = snapshot(bench.dir.path());
		bench.failer.fail_at(n);
		auto failed = apply_changes(bench.failer, bench.changes);
		INFO("change " << n);
		REQUIRE_FALSE(failed.ok());
		CHECK(failed.error().ends_with(
			": Input/output error; the changes before it were undone"));
		CHECK(snapshot(bench.dir.path()) == before);
	}
}

TEST_CASE("configfs changes: the error names the path and the value")
{
	Bench bench;
	bench.failer.fail_at(3);
	auto failed = apply_changes(bench.failer, bench.changes);
	REQUIRE_FALSE(failed.ok());
	CHECK(failed.error() ==
	      "write \"new\" to " + bench.dir.path().string() +
		      "/value: Input/output error; the changes before it were undone");
}

TEST_CASE("configfs changes: an undo that fails says so")
{
	Bench bench;
	// The symlink fails; undoing the rmdir of "old" then finds a file
	// where the directory must come back.
	bench.failer.fail_at(7);
	bench.changes.insert(bench.changes.begin() + 5,
			     Change::write("old", "in the way", std::nullopt));
	auto failed = apply_changes(bench.failer, bench.changes);
	REQUIRE_FALSE(failed.ok());
	CHECK(failed.error().find("; undoing the changes before it failed too: mkdir ") !=
	      std::string::npos);
	CHECK(failed.error().ends_with("; configfs is left part-changed"));
}
