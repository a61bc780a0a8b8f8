// SPDX-License-Identifier: GPL-2.0-only
// LIO's configfs (target/), as far as the writer meets it, on a plain
// tree: mkdir of an item makes its attribute files (with the kernel's
// defaults) and its default groups, rmdir takes them along, and the
// kernel's refusals are refused alike (drivers/target/target_core_configfs.c,
// target_core_fabric_configfs.c, target_core_alua.c,
// iscsi/iscsi_target_configfs.c, iscsi_target_tpg.c, fs/configfs/dir.c):
//   - a LUN link to a backstore that is not enabled: ENODEV; a second link
//     in one LUN: EEXIST
//   - enable of a backstore without "1": EINVAL; when already enabled:
//     EEXIST; control udev_path= of an enabled backstore: EEXIST;
//     vpd_unit_serial and udev_path of an exported backstore: EINVAL
//   - tg_pt_gp_id a second time, or above 0xffff: EINVAL;
//     alua_access_state without an id: EINVAL, of a backstore not
//     enabled: ENODEV, a state LIO does not know: EINVAL
//   - a LUN's alua_tg_pt_gp while it is not linked: ENODEV; naming a group
//     the backstore has not (with an id): EINVAL
//   - enable 1 of an enabled TPG: EINVAL
//   - rmdir of a default group: EPERM; of an item with child items or
//     links: ENOTEMPTY; of a link's target: EBUSY
//   - names LIO does not parse (iblock_<n>, tpgt_<n>, lun_<n>,
//     <ip>:<port>, an IQN over 223 characters): EINVAL
// Shown as LIO shows them: vpd_unit_serial with its label, a LUN's
// alua_tg_pt_gp as "TG Port Alias: <name>\nTG Port Group ID: <id>", an ALUA
// group's alua_access_type by name ("Implicit"), as Debian's 6.1 kernel does.
#pragma once

#include "fs_decorators.hpp"

namespace hps::test {

class KernelLioConfigfs final : public KernelFake {
public:
	// `inner` is a plain tree; target/, core/ and iscsi/ are made here.
	explicit KernelLioConfigfs(Configfs& inner);

	FsResult<void> write(const std::string& attr, const std::string& value) override;
	FsResult<void> symlink(const std::string& target, const std::string& link) override;
	FsResult<void> unlink(const std::string& link) override;

private:
	FsResult<bool> make_item(const std::string& dir) override;
	bool is_item(const std::string& dir) override;
	bool is_link_target(const std::string& dir) override;
	FsResult<void> remove_item(const std::string& dir) override;
	// Any child item or link below dir, through its default groups.
	bool has_children(const std::string& dir);
	FsResult<void> write_backstore(const std::string& item, const std::string& name,
				       const std::string& value);
	FsResult<void> write_lun_group(const std::string& lun, const std::string& value);
};

} // namespace hps::test
