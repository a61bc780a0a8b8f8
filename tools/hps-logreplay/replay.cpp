// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/replay.hpp"

#include "util/range_set.hpp"

#include <algorithm>
#include <cassert>
#include <span>
#include <vector>

namespace hps::logreplay {
namespace {

// Data moves through a buffer of at most this much, whatever the entry size.
constexpr std::uint64_t chunk_bytes = 1 << 20;

std::string entry_error(const LogEntry& e, const std::string& what)
{
	return "entry " + std::to_string(e.index) + ": " + what;
}

Result<void, std::string> check_fits(const LogIndex& log, const LogEntry& e, const ReplayTarget& target)
{
	auto limit = target.limit();
	std::uint64_t end = log.target_offset(e) + log.target_length(e);
	if (limit && end > *limit)
		return fail(entry_error(e, "bytes " + std::to_string(log.target_offset(e)) + ".." +
					       std::to_string(end) + " are past the end of the device (" +
					       std::to_string(*limit) + " bytes)"));
	return {};
}

Result<void, std::string> apply_write(const ByteSource& source, const LogIndex& log, const LogEntry& e,
				      ReplayTarget& target, std::vector<std::byte>& buf)
{
	const std::uint64_t total = log.target_length(e);
	for (std::uint64_t done = 0; done < total;) {
		auto n = static_cast<std::size_t>(std::min(chunk_bytes, total - done));
		auto part = std::span(buf).first(n);
		if (auto r = source.read_at(log.data_offset(e) + done, part); !r)
			return fail(entry_error(e, "log: " + r.error()));
		if (auto r = target.write_at(log.target_offset(e) + done, part); !r)
			return fail(entry_error(e, r.error()));
		done += n;
	}
	return {};
}

// Every byte range any entry touches, merged.
std::vector<ByteRange> touched_ranges(const LogIndex& log)
{
	RangeSet set;
	for (const auto& e : log.entries)
		set.add({log.target_offset(e), log.target_offset(e) + log.target_length(e)});
	return set.ranges();
}

// Compares part [r.begin, r.end) of the device with entry e's expected bytes
// (its data, or zeroes for a discard).  Returns the first differing byte.
Result<std::optional<std::uint64_t>, std::string> compare_range(const ByteSource& source, const LogIndex& log,
								const LogEntry& e, const ReplayTarget& target,
								ByteRange r, std::vector<std::byte>& want,
								std::vector<std::byte>& got)
{
	for (std::uint64_t pos = r.begin; pos < r.end;) {
		auto n = static_cast<std::size_t>(std::min(chunk_bytes, r.end - pos));
		auto w = std::span(want).first(n);
		auto g = std::span(got).first(n);
		if (e.discard()) {
			std::fill(w.begin(), w.end(), std::byte{0});
		} else if (auto rr = source.read_at(log.data_offset(e) + (pos - log.target_offset(e)), w); !rr) {
			return fail(entry_error(e, "log: " + rr.error()));
		}
		if (auto rr = target.read_at(pos, g); !rr)
			return fail(entry_error(e, rr.error()));
		auto [wi, gi] = std::mismatch(w.begin(), w.end(), g.begin());
		if (wi != w.end())
			return std::optional<std::uint64_t>(pos + static_cast<std::uint64_t>(wi - w.begin()));
		pos += n;
	}
	return std::optional<std::uint64_t>();
}

} // namespace

Result<ReplayStats, std::string> replay(const ByteSource& source, const LogIndex& log, ReplayTarget& target,
					 const ReplayOptions& options)
{
	assert(options.from <= options.to && options.to < log.entries.size());
	ReplayStats stats;
	// Check every entry fits before changing anything.
	for (std::uint64_t i = options.from; i <= options.to; ++i) {
		if (auto r = check_fits(log, log.entries[i], target); !r)
			return fail(r.error());
	}
	if (options.zero_first) {
		for (const auto& r : touched_ranges(log)) {
			auto end = r.end;
			if (target.limit())
				end = std::min(end, *target.limit());
			if (r.begin >= end)
				continue;
			if (auto z = target.zero(r.begin, end - r.begin); !z)
				return fail("zeroing the log's ranges: " + z.error());
			stats.bytes_prezeroed += end - r.begin;
		}
	}
	std::vector<std::byte> buf(chunk_bytes);
	for (std::uint64_t i = options.from; i <= options.to; ++i) {
		const LogEntry& e = log.entries[i];
		++stats.entries;
		if (e.discard()) {
			if (auto r = target.zero(log.target_offset(e), log.target_length(e)); !r)
				return fail(entry_error(e, "discard: " + r.error()));
			++stats.discards;
			stats.bytes_zeroed += log.target_length(e);
		} else if (e.writes()) {
			if (auto r = apply_write(source, log, e, target, buf); !r)
				return fail(r.error());
			++stats.writes;
			stats.bytes_written += log.target_length(e);
		}
	}
	if (auto r = target.sync(); !r)
		return fail(r.error());
	return stats;
}

Result<VerifyReport, std::string> verify(const ByteSource& source, const LogIndex& log,
					  const ReplayTarget& target, std::uint64_t to)
{
	assert(to < log.entries.size());
	VerifyReport report;
	RangeSet later; // bytes a later entry (up to `to`) sets
	std::vector<std::byte> want(chunk_bytes);
	std::vector<std::byte> got(chunk_bytes);
	for (std::uint64_t i = to + 1; i-- > 0;) {
		const LogEntry& e = log.entries[i];
		if (!e.discard() && !e.writes())
			continue;
		if (auto r = check_fits(log, e, target); !r)
			return fail(r.error());
		ByteRange whole{log.target_offset(e), log.target_offset(e) + log.target_length(e)};
		ByteRange compared = whole;
		if (e.discard() && !target.block_device()) {
			// Past a regular file's end everything reads as zeroes: a
			// discard there matches, however long the log says it is.
			auto size = target.extent();
			if (!size)
				return fail(entry_error(e, size.error()));
			compared.end = std::max(compared.begin, std::min(compared.end, *size));
		}
		for (const ByteRange& part : later.uncovered(compared)) {
			auto diff = compare_range(source, log, e, target, part, want, got);
			if (!diff)
				return fail(diff.error());
			if (diff->has_value()) {
				// Walking backwards, so a later find is a lower entry.
				report.mismatch_entry = e.index;
				report.mismatch_offset = **diff;
				break;
			}
			report.bytes_compared += part.end - part.begin;
		}
		later.add(whole);
	}
	return report;
}

} // namespace hps::logreplay
