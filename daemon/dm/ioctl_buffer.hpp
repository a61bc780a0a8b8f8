// SPDX-License-Identifier: GPL-2.0-only
// Building and parsing the variable-length buffers of the device-mapper
// ioctls (<linux/dm-ioctl.h>).  Pure: no syscalls, so every layout detail
// is unit-tested.  A buffer is a struct dm_ioctl header followed by the
// command's payload at data_start; the kernel writes its answer into the
// same buffer.
#pragma once

#include "util/result.hpp"

#include <linux/dm-ioctl.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hps::dm {

// One line of a table: `<start> <length> <type> <params>`.
struct Target {
	std::uint64_t start = 0;
	std::uint64_t length = 0; // sectors
	std::string type;
	std::string params;
};

// One entry of DM_LIST_DEVICES.
struct DeviceEntry {
	std::string name;
	std::uint64_t dev = 0; // huge_encode_dev() form, as the kernel reports it
};

// An ioctl buffer, 8-byte aligned as the kernel's structs need.
class IoctlBuffer {
public:
	// A buffer of at least `size` bytes with the header filled in: the
	// interface version hps was built against, data_size, data_start just
	// past the header and the device's name (empty: none).
	IoctlBuffer(std::size_t size, std::string_view name);

	dm_ioctl& header() noexcept { return *reinterpret_cast<dm_ioctl*>(words_.data()); }
	const dm_ioctl& header() const noexcept
	{
		return *reinterpret_cast<const dm_ioctl*>(words_.data());
	}
	std::span<std::byte> bytes() noexcept { return std::as_writable_bytes(std::span(words_)); }
	std::span<const std::byte> bytes() const noexcept { return std::as_bytes(std::span(words_)); }
	// The payload area the kernel filled in: data_start .. data_size, clamped
	// to the buffer.
	std::span<const std::byte> payload() const noexcept;

private:
	std::vector<std::uint64_t> words_;
};

// Longest device name and target type the interface carries (with the NUL).
inline constexpr std::size_t max_name_chars = DM_NAME_LEN - 1;

// A name dm accepts: 1..127 bytes, no '/' (dm refuses names with a slash),
// no NUL; "." and ".." are not names of /dev/mapper nodes either.
Result<void, std::string> check_device_name(std::string_view name);

// The payload of DM_TABLE_LOAD: dm_target_spec + NUL-terminated params per
// target, each padded to 8 bytes, `next` counting from the spec it is in.
Result<IoctlBuffer, std::string> build_table_load(std::string_view name,
						   std::span<const Target> targets);

// The payload of DM_TARGET_MSG: dm_target_msg (sector) + the message text.
Result<IoctlBuffer, std::string> build_target_message(std::string_view name, std::uint64_t sector,
						      std::string_view message);

// The answer of DM_TABLE_STATUS (status or table): target_count specs, each
// followed by its text; here `next` counts from data_start.
Result<std::vector<Target>, std::string> parse_targets(const IoctlBuffer& buffer);

// The answer of DM_LIST_DEVICES: dm_name_list entries chained by `next`
// (from the entry), the last one with next 0.
Result<std::vector<DeviceEntry>, std::string> parse_device_list(const IoctlBuffer& buffer);

// The NUL-terminated text the kernel put in the payload (a target
// message's answer with DM_DATA_OUT_FLAG); empty when there is none.
std::string payload_text(const IoctlBuffer& buffer);

// Splits a huge_encode_dev()-style dev_t into major and minor.
unsigned dev_major(std::uint64_t dev) noexcept;
unsigned dev_minor(std::uint64_t dev) noexcept;

} // namespace hps::dm
