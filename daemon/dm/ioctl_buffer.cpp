// SPDX-License-Identifier: GPL-2.0-only
#include "dm/ioctl_buffer.hpp"

#include <sys/sysmacros.h>

#include <algorithm>
#include <cstring>

namespace hps::dm {
namespace {

constexpr std::size_t align8(std::size_t n)
{
	return (n + 7) & ~std::size_t{7};
}

// Bytes of the buffer as chars, for copying text in and out.
char* chars(std::span<std::byte> bytes, std::size_t offset)
{
	return reinterpret_cast<char*>(bytes.data() + offset);
}

} // namespace

IoctlBuffer::IoctlBuffer(std::size_t size, std::string_view name)
	: words_((std::max(size, sizeof(dm_ioctl)) + 7) / 8, 0)
{
	dm_ioctl& h = header();
	// The version this code was written against; the kernel answers with
	// its own and refuses only a different major.
	h.version[0] = DM_VERSION_MAJOR;
	h.version[1] = 0;
	h.version[2] = 0;
	h.data_size = static_cast<std::uint32_t>(words_.size() * 8);
	h.data_start = static_cast<std::uint32_t>(align8(sizeof(dm_ioctl)));
	// Callers check names first; a longer one is cut rather than overflow.
	std::memcpy(h.name, name.data(), std::min(name.size(), max_name_chars));
}

std::span<const std::byte> IoctlBuffer::payload() const noexcept
{
	const auto all = bytes();
	const std::size_t end = std::min<std::size_t>(header().data_size, all.size());
	const std::size_t start = std::min<std::size_t>(header().data_start, end);
	return all.subspan(start, end - start);
}

Result<void, std::string> check_device_name(std::string_view name)
{
	if (name.empty())
		return fail(std::string("device name is empty"));
	if (name.size() > max_name_chars)
		return fail("device name \"" + std::string(name) + "\" is longer than " +
			    std::to_string(max_name_chars) + " bytes");
	if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos ||
	    name == "." || name == "..")
		return fail("device name \"" + std::string(name) + "\" is not a valid dm name");
	return {};
}

Result<IoctlBuffer, std::string> build_table_load(std::string_view name,
						   std::span<const Target> targets)
{
	if (auto ok = check_device_name(name); !ok)
		return fail(ok.error());
	std::size_t payload = 0;
	for (const auto& t : targets) {
		if (t.type.empty() || t.type.size() >= DM_MAX_TYPE_NAME)
			return fail("target type \"" + t.type + "\" is empty or too long");
		payload += align8(sizeof(dm_target_spec) + t.params.size() + 1);
	}
	IoctlBuffer buffer(align8(sizeof(dm_ioctl)) + payload, name);
	buffer.header().target_count = static_cast<std::uint32_t>(targets.size());
	auto bytes = buffer.bytes();
	std::size_t offset = buffer.header().data_start;
	for (const auto& t : targets) {
		const std::size_t size = align8(sizeof(dm_target_spec) + t.params.size() + 1);
		dm_target_spec spec{};
		spec.sector_start = t.start;
		spec.length = t.length;
		std::memcpy(spec.target_type, t.type.data(), t.type.size());
		spec.next = static_cast<std::uint32_t>(size);
		std::memcpy(bytes.data() + offset, &spec, sizeof spec);
		std::memcpy(chars(bytes, offset + sizeof spec), t.params.data(), t.params.size());
		offset += size; // the NUL and the padding are zero already
	}
	return buffer;
}

Result<IoctlBuffer, std::string> build_target_message(std::string_view name, std::uint64_t sector,
						      std::string_view message)
{
	if (auto ok = check_device_name(name); !ok)
		return fail(ok.error());
	if (message.empty())
		return fail(std::string("target message is empty"));
	// Room for the kernel's answer too (DM_DATA_OUT_FLAG): 16 KiB as dmsetup.
	const std::size_t size =
		std::max<std::size_t>(align8(sizeof(dm_ioctl)) + sizeof(dm_target_msg) +
					      message.size() + 1,
				      16384);
	IoctlBuffer buffer(size, name);
	auto bytes = buffer.bytes();
	const std::size_t offset = buffer.header().data_start;
	dm_target_msg msg{};
	msg.sector = sector;
	std::memcpy(bytes.data() + offset, &msg, sizeof msg);
	std::memcpy(chars(bytes, offset + sizeof msg), message.data(), message.size());
	return buffer;
}

Result<std::vector<Target>, std::string> parse_targets(const IoctlBuffer& buffer)
{
	const auto payload = buffer.payload();
	std::vector<Target> targets;
	std::size_t offset = 0;
	for (std::uint32_t i = 0; i < buffer.header().target_count; ++i) {
		if (offset + sizeof(dm_target_spec) > payload.size())
			return fail("target " + std::to_string(i) + " lies outside the answer");
		dm_target_spec spec{};
		std::memcpy(&spec, payload.data() + offset, sizeof spec);
		Target t;
		t.start = spec.sector_start;
		t.length = spec.length;
		t.type.assign(spec.target_type, strnlen(spec.target_type, sizeof spec.target_type));
		const auto* text = reinterpret_cast<const char*>(payload.data() + offset + sizeof spec);
		t.params.assign(text, strnlen(text, payload.size() - offset - sizeof spec));
		targets.push_back(std::move(t));
		// In answers, next is an offset from data_start, not from the spec.
		if (i + 1 < buffer.header().target_count) {
			if (spec.next <= offset)
				return fail("target " + std::to_string(i) + " has a bad next offset");
			offset = spec.next;
		}
	}
	return targets;
}

Result<std::vector<DeviceEntry>, std::string> parse_device_list(const IoctlBuffer& buffer)
{
	const auto payload = buffer.payload();
	std::vector<DeviceEntry> devices;
	constexpr std::size_t head = offsetof(dm_name_list, name);
	if (payload.size() < head)
		return devices;
	std::size_t offset = 0;
	for (;;) {
		if (offset + head > payload.size())
			return fail(std::string("device list entry lies outside the answer"));
		dm_name_list entry{};
		std::memcpy(&entry, payload.data() + offset, head);
		// An empty list is one entry with dev 0 and no name.
		if (entry.dev == 0 && entry.next == 0 && devices.empty())
			return devices;
		const auto* text = reinterpret_cast<const char*>(payload.data() + offset + head);
		devices.push_back(
			{std::string(text, strnlen(text, payload.size() - offset - head)), entry.dev});
		if (entry.next == 0)
			return devices;
		offset += entry.next;
	}
}

std::string payload_text(const IoctlBuffer& buffer)
{
	if (!(buffer.header().flags & DM_DATA_OUT_FLAG))
		return {};
	const auto payload = buffer.payload();
	const auto* text = reinterpret_cast<const char*>(payload.data());
	return std::string(text, strnlen(text, payload.size()));
}

unsigned dev_major(std::uint64_t dev) noexcept
{
	return major(static_cast<dev_t>(dev));
}

unsigned dev_minor(std::uint64_t dev) noexcept
{
	return minor(static_cast<dev_t>(dev));
}

} // namespace hps::dm
