// SPDX-License-Identifier: GPL-2.0-only
// Reads and checks a whole dm-log-writes log: the super block and the
// headers (not the data) of its nr_entries entries.  A hostile log never
// makes it crash or allocate more than the log itself backs: every entry
// and its data must lie inside the source, every length is checked for
// overflow before use.
#pragma once

#include "hps-logreplay/byte_source.hpp"
#include "hps-logreplay/log_format.hpp"
#include "util/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hps::logreplay {

struct LogEntry {
	std::uint64_t index = 0;
	std::uint64_t log_offset = 0; // byte offset of the entry's header in the log
	EntryHeader header;
	std::string mark; // a mark's name (LOG_MARK_FLAG), else empty

	bool flush() const noexcept { return header.flags & flag_flush; }
	bool fua() const noexcept { return header.flags & flag_fua; }
	bool discard() const noexcept { return header.flags & flag_discard; }
	bool is_mark() const noexcept { return header.flags & flag_mark; }
	// Writes data (carries nr_sectors of it in the log).
	bool writes() const noexcept { return !discard() && header.nr_sectors > 0; }
};

struct LogIndex {
	std::uint32_t sectorsize = 0;
	std::uint64_t version = 0;
	std::vector<LogEntry> entries; // nr_entries of them

	// Where an entry lands on the replayed device, in bytes.
	std::uint64_t target_offset(const LogEntry& e) const noexcept { return e.header.sector * sectorsize; }
	std::uint64_t target_length(const LogEntry& e) const noexcept
	{
		return e.header.nr_sectors * sectorsize;
	}
	// Where a write entry's data starts in the log.
	std::uint64_t data_offset(const LogEntry& e) const noexcept { return e.log_offset + sectorsize; }
	// One past the last log byte the entries use.
	std::uint64_t used_bytes = 0;
};

// The error says what is wrong and where ("entry 7 at log byte 8192: ...").
Result<LogIndex, std::string> read_log(const ByteSource& log);

// Index of the first mark called `name`.
std::optional<std::uint64_t> find_mark(const LogIndex& log, std::string_view name);

} // namespace hps::logreplay
