// SPDX-License-Identifier: GPL-2.0-only
#include "dm/control.hpp"

#include "util/errno_text.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hps::dm {
namespace {

// Most answers fit in this; status of a device with many targets grows.
constexpr std::size_t initial_buffer = 16384;
constexpr std::size_t max_buffer = 16 << 20;

DeviceInfo info_from(const dm_ioctl& h)
{
	DeviceInfo info;
	info.name.assign(h.name, strnlen(h.name, sizeof h.name));
	info.dev = h.dev;
	info.open_count = h.open_count;
	info.active_table = (h.flags & DM_ACTIVE_PRESENT_FLAG) != 0;
	info.inactive_table = (h.flags & DM_INACTIVE_PRESENT_FLAG) != 0;
	info.suspended = (h.flags & DM_SUSPEND_FLAG) != 0;
	return info;
}

Error error(int err, std::string message)
{
	return Error{err, std::move(message)};
}

hps::Unexpected<Error> bad_name(std::string message)
{
	return fail(error(EINVAL, std::move(message)));
}

} // namespace

DmResult<Control> Control::open(const std::string& path)
{
	UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
	if (!fd.valid())
		return fail(error(errno, "cannot open " + path + ": " + errno_text(errno) +
						 (errno == ENOENT ? " (is dm_mod loaded?)" : "")));
	return Control(std::move(fd));
}

DmResult<void> Control::run(unsigned long request, IoctlBuffer& buffer, std::string_view what)
{
	for (;;) {
		int rc;
		do {
			rc = ::ioctl(fd_.get(), request, buffer.bytes().data());
		} while (rc < 0 && errno == EINTR);
		if (rc < 0) {
			int err = errno;
			std::string text = std::string(what) + ": " + errno_text(err);
			if (err == EINVAL || err == ENODATA || err == EEXIST || err == ENOSPC)
				text += " (the kernel log says why)";
			return fail(error(err, text));
		}
		if (!(buffer.header().flags & DM_BUFFER_FULL_FLAG))
			return {};
		const std::size_t bigger = buffer.bytes().size() * 4;
		if (bigger > max_buffer)
			return fail(error(ENOBUFS, std::string(what) + ": answer larger than " +
							   std::to_string(max_buffer) + " bytes"));
		// Same request in a bigger buffer: copy the header we sent.
		IoctlBuffer grown(bigger, "");
		dm_ioctl header = buffer.header();
		header.data_size = grown.header().data_size;
		header.data_start = grown.header().data_start;
		header.flags &= ~DM_BUFFER_FULL_FLAG;
		grown.header() = header;
		buffer = std::move(grown);
	}
}

DmResult<DeviceInfo> Control::create_device(std::string_view name)
{
	if (auto ok = check_device_name(name); !ok)
		return bad_name(ok.error());
	IoctlBuffer buffer(initial_buffer, name);
	if (auto r = run(DM_DEV_CREATE, buffer, "create " + std::string(name)); !r)
		return fail(r.error());
	return info_from(buffer.header());
}

DmResult<void> Control::load_table(std::string_view name, std::span<const Target> targets)
{
	auto buffer = build_table_load(name, targets);
	if (!buffer)
		return bad_name(buffer.error());
	return run(DM_TABLE_LOAD, *buffer, "load table of " + std::string(name));
}

DmResult<DeviceInfo> Control::resume(std::string_view name)
{
	if (auto ok = check_device_name(name); !ok)
		return bad_name(ok.error());
	IoctlBuffer buffer(initial_buffer, name);
	if (auto r = run(DM_DEV_SUSPEND, buffer, "resume " + std::string(name)); !r)
		return fail(r.error());
	return info_from(buffer.header());
}

DmResult<void> Control::suspend_noflush(std::string_view name)
{
	if (auto ok = check_device_name(name); !ok)
		return bad_name(ok.error());
	IoctlBuffer buffer(initial_buffer, name);
	buffer.header().flags |= DM_SUSPEND_FLAG | DM_NOFLUSH_FLAG;
	return run(DM_DEV_SUSPEND, buffer, "suspend " + std::string(name));
}

DmResult<void> Control::remove_device(std::string_view name)
{
	if (auto ok = check_device_name(name); !ok)
		return bad_name(ok.error());
	IoctlBuffer buffer(initial_buffer, name);
	if (auto r = run(DM_DEV_REMOVE, buffer, "remove " + std::string(name)); !r)
		return fail(r.error());
	remove_node(name);
	return {};
}

DmResult<std::optional<DeviceInfo>> Control::info(std::string_view name)
{
	if (auto ok = check_device_name(name); !ok)
		return bad_name(ok.error());
	IoctlBuffer buffer(initial_buffer, name);
	auto r = run(DM_DEV_STATUS, buffer, "info " + std::string(name));
	if (!r) {
		if (r.error().err == ENXIO)
			return std::optional<DeviceInfo>();
		return fail(r.error());
	}
	return std::optional(info_from(buffer.header()));
}

DmResult<std::vector<Target>> Control::table_status(std::string_view name, bool table)
{
	if (auto ok = check_device_name(name); !ok)
		return bad_name(ok.error());
	IoctlBuffer buffer(initial_buffer, name);
	if (table)
		buffer.header().flags |= DM_STATUS_TABLE_FLAG;
	const std::string what = (table ? "table of " : "status of ") + std::string(name);
	if (auto r = run(DM_TABLE_STATUS, buffer, what); !r)
		return fail(r.error());
	auto targets = parse_targets(buffer);
	if (!targets)
		return fail(error(EPROTO, what + ": " + targets.error()));
	return std::move(targets).value();
}

DmResult<std::vector<Target>> Control::status(std::string_view name)
{
	return table_status(name, false);
}

DmResult<std::vector<Target>> Control::table(std::string_view name)
{
	return table_status(name, true);
}

DmResult<std::string> Control::message(std::string_view name, std::uint64_t sector,
				       std::string_view text)
{
	auto buffer = build_target_message(name, sector, text);
	if (!buffer)
		return bad_name(buffer.error());
	if (auto r = run(DM_TARGET_MSG, *buffer,
			 "message '" + std::string(text) + "' to " + std::string(name));
	    !r)
		return fail(r.error());
	return payload_text(*buffer);
}

DmResult<std::vector<DeviceEntry>> Control::list_devices()
{
	IoctlBuffer buffer(initial_buffer, "");
	if (auto r = run(DM_LIST_DEVICES, buffer, "list devices"); !r)
		return fail(r.error());
	auto devices = parse_device_list(buffer);
	if (!devices)
		return fail(error(EPROTO, "list devices: " + devices.error()));
	return std::move(devices).value();
}

DmResult<DeviceInfo> Control::create(std::string_view name, std::span<const Target> targets)
{
	auto created = create_device(name);
	if (!created)
		return fail(created.error());
	auto loaded = load_table(name, targets);
	auto resumed = loaded ? resume(name) : DmResult<DeviceInfo>(fail(loaded.error()));
	if (!resumed) {
		// Leave nothing behind, as dmsetup create does; the first error
		// is the one that matters.
		(void)remove_device(name);
		return fail(resumed.error());
	}
	if (auto node = ensure_node(name, resumed->dev); !node) {
		(void)remove_device(name);
		return fail(error(EIO, node.error()));
	}
	return std::move(resumed).value();
}

hps::Result<void, std::string> ensure_node(std::string_view name, std::uint64_t dev)
{
	const std::string path = "/dev/mapper/" + std::string(name);
	const dev_t want = makedev(dev_major(dev), dev_minor(dev));
	struct stat st{};
	if (::stat(path.c_str(), &st) == 0) {
		if (S_ISBLK(st.st_mode) && st.st_rdev == want)
			return {};
		::unlink(path.c_str()); // stale: left by an earlier device of that name
	}
	if (::mknod(path.c_str(), S_IFBLK | 0600, want) != 0 && errno != EEXIST)
		return fail("cannot make " + path + ": " + errno_text(errno));
	return {};
}

void remove_node(std::string_view name)
{
	// udev may have removed it already; nothing else to do then.
	::unlink(("/dev/mapper/" + std::string(name)).c_str());
}

} // namespace hps::dm
