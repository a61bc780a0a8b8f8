// SPDX-License-Identifier: GPL-2.0-only
// Applying a log's entries to a device, and checking a device against them.
//
// Writes go to entry.sector * sectorsize.  Discards are replayed as zeroes
// (ReplayTarget::zero), never as BLKDISCARD: a discarded range then reads
// back the same on every device, so a replay's result depends only on the
// log.  FLUSH, FUA and marks write nothing; the replay ends with one
// fdatasync.
#pragma once

#include "hps-logreplay/byte_source.hpp"
#include "hps-logreplay/log_reader.hpp"
#include "hps-logreplay/replay_target.hpp"
#include "util/result.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace hps::logreplay {

struct ReplayOptions {
	std::uint64_t from = 0; // first entry to apply (the device holds the state after from - 1)
	std::uint64_t to = 0;	// last entry to apply, inclusive
	// Before applying anything, zero every byte range any entry of the whole
	// log touches, so the result does not depend on what DEV held.
	bool zero_first = false;
};

struct ReplayStats {
	std::uint64_t entries = 0;
	std::uint64_t writes = 0;
	std::uint64_t bytes_written = 0;
	std::uint64_t discards = 0;
	std::uint64_t bytes_zeroed = 0; // by discards
	std::uint64_t bytes_prezeroed = 0; // by zero_first
};

// Requires from <= to < log.entries.size().
Result<ReplayStats, std::string> replay(const ByteSource& source, const LogIndex& log,
					 ReplayTarget& target, const ReplayOptions& options);

struct VerifyReport {
	std::uint64_t bytes_compared = 0;
	// The lowest entry whose surviving bytes (those no later entry up to
	// `to` overwrites) differ on the device, and the first differing byte.
	std::optional<std::uint64_t> mismatch_entry;
	std::uint64_t mismatch_offset = 0;
};

// Compares the device with the state entries 0..to leave on a zeroed device,
// over every byte those entries touch.  Requires to < log.entries.size().
Result<VerifyReport, std::string> verify(const ByteSource& source, const LogIndex& log,
					  const ReplayTarget& target, std::uint64_t to);

} // namespace hps::logreplay
