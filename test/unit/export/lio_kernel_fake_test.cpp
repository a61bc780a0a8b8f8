// SPDX-License-Identifier: GPL-2.0-only
// The LIO kernel fake refuses what LIO refuses (lio_kernel_fake.hpp), so
// that the writer tests mean something.
#include "lio_lab.hpp"

#include <catch2/catch.hpp>

#include <cerrno>

using namespace hps::test;

namespace {

const std::string bs = "target/core/iblock_1/disk";
const std::string tpg = "target/iscsi/iqn.2003-01.org.x:t/tpgt_1";

int error_of(const hpsd::exports::FsResult<void>& result)
{
	return result.ok() ? 0 : result.error().code;
}

int error_of(const hpsd::exports::FsResult<bool>& result)
{
	return result.ok() ? 0 : result.error().code;
}

void make_target(Configfs& fs)
{
	REQUIRE(fs.make_dir("target/core/iblock_1").ok());
	REQUIRE(fs.make_dir(bs).ok());
	REQUIRE(fs.make_dir("target/iscsi").ok()); // registers the fabric
	REQUIRE(fs.make_dir("target/iscsi/iqn.2003-01.org.x:t").ok());
	REQUIRE(fs.make_dir(tpg).ok());
	REQUIRE(fs.make_dir(tpg + "/lun/lun_0").ok());
}

} // namespace

TEST_CASE("lio kernel fake: backstores")
{
	LioLab lab;
	auto& fs = lab.below();
	make_target(fs);
	CHECK(error_of(fs.symlink(bs, tpg + "/lun/lun_0/disk")) == ENODEV);
	CHECK(error_of(fs.write(bs + "/enable", "1")) == EINVAL); // no udev_path= yet
	REQUIRE(fs.write(bs + "/control", "udev_path=/dev/sdz").ok());
	CHECK(error_of(fs.write(bs + "/enable", "0")) == EINVAL);
	REQUIRE(fs.write(bs + "/enable", "1").ok());
	CHECK(error_of(fs.write(bs + "/enable", "1")) == EEXIST);
	CHECK(error_of(fs.write(bs + "/control", "udev_path=/dev/sdy")) == EEXIST);
	REQUIRE(fs.symlink(bs, tpg + "/lun/lun_0/disk").ok());
	CHECK(error_of(fs.write(bs + "/wwn/vpd_unit_serial", "x")) == EINVAL);
	CHECK(error_of(fs.remove_dir(bs)) == EBUSY);
	CHECK(error_of(fs.remove_dir(tpg + "/lun/lun_0")) == ENOTEMPTY);
	CHECK(error_of(fs.remove_dir(bs + "/alua/default_tg_pt_gp")) == EPERM);
	CHECK(error_of(fs.make_dir("target/core/iblock_x")) == EINVAL);
}

TEST_CASE("lio kernel fake: ALUA groups and TPGs")
{
	LioLab lab;
	auto& fs = lab.below();
	make_target(fs);
	const std::string group = bs + "/alua/g";
	REQUIRE(fs.make_dir(group).ok());
	CHECK(error_of(fs.write(group + "/alua_access_state", "2")) == EINVAL); // no id
	CHECK(error_of(fs.write(group + "/tg_pt_gp_id", "65536")) == EINVAL);
	REQUIRE(fs.write(group + "/tg_pt_gp_id", "5").ok());
	CHECK(error_of(fs.write(group + "/tg_pt_gp_id", "6")) == EINVAL);
	CHECK(error_of(fs.write(group + "/alua_access_state", "2")) == ENODEV); // not enabled
	REQUIRE(fs.write(bs + "/control", "udev_path=/dev/sdz").ok());
	REQUIRE(fs.write(bs + "/enable", "1").ok());
	CHECK(error_of(fs.write(group + "/alua_access_state", "7")) == EINVAL);
	REQUIRE(fs.write(group + "/alua_access_state", "2").ok());
	CHECK(error_of(fs.remove_dir(bs)) == ENOTEMPTY);
	CHECK(error_of(fs.write(tpg + "/lun/lun_0/alua_tg_pt_gp", "g")) == ENODEV);
	REQUIRE(fs.symlink(bs, tpg + "/lun/lun_0/disk").ok());
	CHECK(error_of(fs.write(tpg + "/lun/lun_0/alua_tg_pt_gp", "h")) == EINVAL);
	REQUIRE(fs.write(tpg + "/lun/lun_0/alua_tg_pt_gp", "g").ok());
	CHECK(lab.at(tpg + "/lun/lun_0/alua_tg_pt_gp") == "TG Port Alias: g\nTG Port Group ID: 5");
	REQUIRE(fs.write(tpg + "/enable", "1").ok());
	CHECK(error_of(fs.write(tpg + "/enable", "1")) == EINVAL);
	CHECK(error_of(fs.make_dir(tpg + "/np/10.0.0.1")) == EINVAL);
	CHECK(error_of(fs.make_dir(tpg + "/np/fd00::1:3260")) == EINVAL);
	CHECK(error_of(fs.make_dir("target/iscsi/iqn.2003-01.org.x:t/tpgt_x")) == EINVAL);
	REQUIRE(fs.make_dir(tpg + "/acls/iqn.1993-08.org.debian:01:a").ok());
	REQUIRE(fs.make_dir(tpg + "/acls/iqn.1993-08.org.debian:01:a/lun_0").ok());
	REQUIRE(fs.symlink(tpg + "/lun/lun_0", tpg + "/acls/iqn.1993-08.org.debian:01:a/lun_0/l").ok());
	CHECK(error_of(fs.remove_dir(tpg + "/lun/lun_0")) == EBUSY);
	CHECK(error_of(fs.remove_dir(tpg)) == ENOTEMPTY);
}
