// SPDX-License-Identifier: GPL-2.0-only
// nvmet's configfs, as far as the writer meets it, on a plain tree: mkdir
// of an item makes its attribute files (with the kernel's defaults) and its
// default groups, rmdir takes them along, and the kernel's refusals are
// refused alike (drivers/nvme/target/configfs.c, fs/configfs/dir.c):
//   - device_path, device_uuid, device_nguid while the namespace is
//     enabled: EBUSY
//   - addr_* of a port with a subsystem linked: EACCES
//   - allowed_hosts links while allow_any_host is 1, and allow_any_host 1
//     with hosts linked: EINVAL
//   - attr_serial, attr_model of a subsystem on a port: EINVAL (nvmet
//     refuses them once a host has identified it; being on a port is the
//     closest a test gets)
//   - attr_cntlid_min above max, max below min: EINVAL
//   - rmdir of a default group: EPERM; of an item with child items or
//     links in its groups: ENOTEMPTY; of a link's target: EBUSY
//   - a link from a port's subsystems/ while the port has no transport or
//     address: EINVAL (nvmet enables the port with the first link)
//   - unknown ana_state, trtype, adrfam, an ANA group outside 2..128: EINVAL
#pragma once

#include "fs_decorators.hpp"

namespace hps::test {

class KernelNvmetConfigfs final : public KernelFake {
public:
	// `inner` is a plain tree; nvmet/ and its three groups are made here.
	explicit KernelNvmetConfigfs(Configfs& inner);

	FsResult<void> write(const std::string& attr, const std::string& value) override;
	FsResult<void> symlink(const std::string& target, const std::string& link) override;

private:
	bool empty(const std::string& dir);
	bool is_item(const std::string& dir) override;
	bool is_link_target(const std::string& dir) override;
	FsResult<void> remove_item(const std::string& dir) override;
	FsResult<bool> make_item(const std::string& dir) override;
};

} // namespace hps::test
