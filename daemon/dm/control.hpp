// SPDX-License-Identifier: GPL-2.0-only
// A small device-mapper client: the DM ioctls on /dev/mapper/control, the
// subset hpsd needs to run pools and volumes (what dmsetup does for
// create/load/resume/remove/status/table/message/ls), without libdevmapper
// and its udev cookies.  Not thread-safe; one per owner.
#pragma once

#include "dm/ioctl_buffer.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hps::dm {

// A failed DM ioctl: the errno (ENODATA, EBUSY, ...) and a line naming the
// operation, the device and the reason.  The kernel's own reason for a
// rejected table is only in its log (dm has no channel for it); the message
// says where to look.
struct Error {
	int err = 0;
	std::string message;
};

template <class T>
using DmResult = hps::Result<T, Error>;

struct DeviceInfo {
	std::string name;
	std::uint64_t dev = 0; // major:minor, see dev_major()/dev_minor()
	std::int32_t open_count = 0;
	bool active_table = false;   // a live table is loaded
	bool inactive_table = false; // a loaded table waits for resume
	bool suspended = false;
};

class Control {
public:
	// Opens /dev/mapper/control (or `path`, for tests).
	static DmResult<Control> open(const std::string& path = "/dev/mapper/control");

	// DM_DEV_CREATE: a device with no table.
	DmResult<DeviceInfo> create_device(std::string_view name);
	// DM_TABLE_LOAD into the inactive slot.
	DmResult<void> load_table(std::string_view name, std::span<const Target> targets);
	// DM_DEV_SUSPEND without DM_SUSPEND_FLAG: swap in the loaded table and
	// resume I/O.
	DmResult<DeviceInfo> resume(std::string_view name);
	// DM_DEV_SUSPEND with DM_SUSPEND_FLAG | DM_NOFLUSH_FLAG: new I/O waits,
	// and the call returns once every bio in flight has completed (a
	// barrier: replication uses it to know that every write it was told
	// of is on the cache device).  resume() lets the I/O go again.
	DmResult<void> suspend_noflush(std::string_view name);
	// DM_DEV_REMOVE.  EBUSY while the device is open (mounted, exported, or
	// a volume holding its pool).
	DmResult<void> remove_device(std::string_view name);
	// DM_DEV_STATUS; std::nullopt when no device has that name.
	DmResult<std::optional<DeviceInfo>> info(std::string_view name);
	// DM_TABLE_STATUS: the live table's status lines (`dmsetup status`).
	DmResult<std::vector<Target>> status(std::string_view name);
	// DM_TABLE_STATUS with DM_STATUS_TABLE_FLAG (`dmsetup table`).
	DmResult<std::vector<Target>> table(std::string_view name);
	// DM_TARGET_MSG; returns the target's answer text, if any.
	DmResult<std::string> message(std::string_view name, std::uint64_t sector,
				      std::string_view text);
	// DM_LIST_DEVICES.
	DmResult<std::vector<DeviceEntry>> list_devices();

	// create_device + load_table + resume, and the /dev/mapper node; on any
	// failure the half-made device is removed again.
	DmResult<DeviceInfo> create(std::string_view name, std::span<const Target> targets);

private:
	explicit Control(UniqueFd fd) : fd_(std::move(fd)) {}
	// Runs one ioctl, growing the buffer while the kernel says it was too
	// small (DM_BUFFER_FULL_FLAG).
	DmResult<void> run(unsigned long request, IoctlBuffer& buffer, std::string_view what);
	DmResult<std::vector<Target>> table_status(std::string_view name, bool table);

	UniqueFd fd_;
};

// Makes /dev/mapper/<name> a block node for `dev` when it is missing or
// stale.  udev does this on a normal system; hosts without udev (the lab,
// containers) need it done by hand, as `dmsetup mknodes` does.
hps::Result<void, std::string> ensure_node(std::string_view name, std::uint64_t dev);
// Removes /dev/mapper/<name> if it is still there after the device went.
void remove_node(std::string_view name);

} // namespace hps::dm
