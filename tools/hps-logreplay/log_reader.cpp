// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/log_reader.hpp"

#include <array>
#include <cstdio>
#include <limits>
#include <vector>

namespace hps::logreplay {
namespace {

// Largest byte offset a replay may touch: pwrite takes an off_t.
constexpr std::uint64_t max_target_bytes = std::uint64_t(std::numeric_limits<std::int64_t>::max());

std::string hex(std::uint64_t v)
{
	std::array<char, 24> buf{};
	std::snprintf(buf.data(), buf.size(), "0x%llx", static_cast<unsigned long long>(v));
	return buf.data();
}

bool is_power_of_two(std::uint32_t v) noexcept { return v && !(v & (v - 1)); }

Result<LogSuper, std::string> read_super(const ByteSource& log)
{
	std::array<std::byte, super_bytes> raw{};
	if (log.size() < min_sectorsize)
		return fail("the log is " + std::to_string(log.size()) +
			    " bytes, smaller than its super block (512)");
	if (auto r = log.read_at(0, raw); !r)
		return fail("super block: " + r.error());
	LogSuper s = decode_super(raw);
	if (s.magic != log_magic)
		return fail("bad magic " + hex(s.magic) + " (want " + hex(log_magic) +
			    "): not a dm-log-writes log");
	if (s.version != log_version)
		return fail("unsupported log version " + std::to_string(s.version) + " (want " +
			    std::to_string(log_version) + ")");
	if (!is_power_of_two(s.sectorsize) || s.sectorsize < min_sectorsize || s.sectorsize > max_sectorsize)
		return fail("bad sectorsize " + std::to_string(s.sectorsize) +
			    " (want a power of two 512..65536)");
	if (s.sectorsize > log.size())
		return fail("sectorsize " + std::to_string(s.sectorsize) + " is larger than the log (" +
			    std::to_string(log.size()) + " bytes)");
	return s;
}

// Checks one entry's header against the log and the sector size; on
// success fills `entry` and returns the log offset of the next entry.
Result<std::uint64_t, std::string> check_entry(const ByteSource& log, std::uint32_t sectorsize,
					       std::span<const std::byte> sector, LogEntry& entry)
{
	const EntryHeader& h = entry.header;
	if (h.flags == 0 && h.nr_sectors == 0)
		return fail(std::string("empty entry (no flags, no sectors): nr_entries counts "
					"more entries than were written?"));
	if (h.data_len > sectorsize - entry_header_bytes)
		return fail("data_len " + std::to_string(h.data_len) + " does not fit the entry's sector (at most " +
			    std::to_string(sectorsize - entry_header_bytes) + ")");
	// Where the entry lands on the device must be a valid off_t range.
	if (h.nr_sectors > max_target_bytes / sectorsize || h.sector > max_target_bytes / sectorsize ||
	    h.sector * sectorsize > max_target_bytes - h.nr_sectors * sectorsize)
		return fail("sector " + std::to_string(h.sector) + " + nr_sectors " +
			    std::to_string(h.nr_sectors) + " is past any device (absurd length)");
	std::uint64_t next = entry.log_offset + sectorsize;
	if (!(h.flags & flag_discard)) {
		std::uint64_t data = h.nr_sectors * sectorsize;
		if (data > log.size() - next)
			return fail("its " + std::to_string(data) + " bytes of data run past the end of the log (" +
				    std::to_string(log.size()) + " bytes)");
		next += data;
	}
	if (h.flags & flag_mark) {
		auto name = sector.subspan(entry_header_bytes, h.data_len);
		entry.mark.assign(reinterpret_cast<const char*>(name.data()), name.size());
	}
	return next;
}

} // namespace

Result<LogIndex, std::string> read_log(const ByteSource& log)
{
	auto super = read_super(log);
	if (!super)
		return fail(super.error());
	LogIndex index;
	index.sectorsize = super->sectorsize;
	index.version = super->version;
	const std::uint64_t ss = super->sectorsize;

	std::vector<std::byte> sector(ss);
	std::uint64_t offset = ss;
	// No reserve(nr_entries): the count is not trusted; each entry pushed
	// is backed by at least one sector of the log.
	for (std::uint64_t i = 0; i < super->nr_entries; ++i) {
		std::string where = "entry " + std::to_string(i) + " at log byte " + std::to_string(offset);
		if (offset > log.size() || log.size() - offset < ss)
			return fail(where + ": past the end of the log (" + std::to_string(log.size()) +
				    " bytes; the super block says " + std::to_string(super->nr_entries) +
				    " entries)");
		if (auto r = log.read_at(offset, sector); !r)
			return fail(where + ": " + r.error());
		LogEntry entry;
		entry.index = i;
		entry.log_offset = offset;
		entry.header = decode_entry_header(std::span<const std::byte, entry_header_bytes>(
			sector.data(), entry_header_bytes));
		auto next = check_entry(log, super->sectorsize, sector, entry);
		if (!next)
			return fail(where + ": " + next.error());
		offset = *next;
		index.entries.push_back(std::move(entry));
	}
	index.used_bytes = offset;
	return index;
}

std::optional<std::uint64_t> find_mark(const LogIndex& log, std::string_view name)
{
	for (const auto& e : log.entries) {
		if (e.is_mark() && e.mark == name)
			return e.index;
	}
	return std::nullopt;
}

} // namespace hps::logreplay
