// SPDX-License-Identifier: GPL-2.0-only
#include "status/kernel_abi.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using hpsd::KernelAbiProbe;

namespace {

void write_abi(const hps::test::TempDir& dir, const std::string& text)
{
	std::filesystem::create_directories(dir.path() / "dm_hps" / "parameters");
	hps::test::write_file(dir.path() / "dm_hps" / "parameters" / "abi_version", text);
}

} // namespace

TEST_CASE("kernel abi: no module directory means not loaded", "[status]")
{
	hps::test::TempDir dir;
	auto abi = KernelAbiProbe(dir.path() / "dm_hps").probe();
	CHECK_FALSE(abi.module_loaded);
	CHECK_FALSE(abi.version.has_value());
	CHECK_FALSE(hpsd::abi_compatible(abi));
}

TEST_CASE("kernel abi: reads the module's abi_version parameter", "[status]")
{
	hps::test::TempDir dir;
	write_abi(dir, std::to_string(hpsd::daemon_abi_version()) + "\n");
	auto abi = KernelAbiProbe(dir.path() / "dm_hps").probe();
	CHECK(abi.module_loaded);
	CHECK(abi.version == hpsd::daemon_abi_version());
	CHECK(hpsd::abi_compatible(abi));
}

TEST_CASE("kernel abi: another version is loaded but incompatible", "[status]")
{
	hps::test::TempDir dir;
	write_abi(dir, "999\n");
	auto abi = KernelAbiProbe(dir.path() / "dm_hps").probe();
	CHECK(abi.module_loaded);
	CHECK(abi.version == 999);
	CHECK_FALSE(hpsd::abi_compatible(abi));
}

TEST_CASE("kernel abi: a loaded module without a readable version is incompatible", "[status]")
{
	hps::test::TempDir dir;
	std::filesystem::create_directories(dir.path() / "dm_hps");
	auto missing = KernelAbiProbe(dir.path() / "dm_hps").probe();
	CHECK(missing.module_loaded);
	CHECK_FALSE(missing.version.has_value());
	CHECK_FALSE(hpsd::abi_compatible(missing));

	write_abi(dir, "one\n");
	auto garbage = KernelAbiProbe(dir.path() / "dm_hps").probe();
	CHECK(garbage.module_loaded);
	CHECK_FALSE(garbage.version.has_value());
}
