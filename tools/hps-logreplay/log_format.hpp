// SPDX-License-Identifier: GPL-2.0-only
// The on-disk format of a dm-log-writes log device, as the kernel writes it
// (drivers/md/dm-log-writes.c, Documentation/admin-guide/device-mapper/
// log-writes.rst).  All integers are little-endian.
//
//   byte 0            struct log_write_super (28 bytes), zero-padded to one
//                     "sectorsize" (the data device's logical block size)
//   then nr_entries   entries, each starting on a sectorsize boundary:
//                     one sectorsize holding struct log_write_entry (32
//                     bytes), for a mark followed by its name (data_len
//                     bytes, no NUL), zero-padded; then, unless the entry
//                     is a discard, nr_sectors * sectorsize bytes of data.
//
// entry.sector and entry.nr_sectors count sectorsize units (not 512-byte
// sectors): the kernel shifts bi_sector by log2(sectorsize) - 9.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace hps::logreplay {

inline constexpr std::uint64_t log_magic = 0x6a736677736872ULL;
inline constexpr std::uint64_t log_version = 1;

inline constexpr std::uint64_t flag_flush = 1U << 0;	// REQ_PREFLUSH
inline constexpr std::uint64_t flag_fua = 1U << 1;	// REQ_FUA
inline constexpr std::uint64_t flag_discard = 1U << 2; // REQ_OP_DISCARD; no data in the log
inline constexpr std::uint64_t flag_mark = 1U << 3;	// `dmsetup message DEV 0 mark NAME`
inline constexpr std::uint64_t flag_metadata = 1U << 4; // REQ_META; informational
inline constexpr std::uint64_t known_flags =
	flag_flush | flag_fua | flag_discard | flag_mark | flag_metadata;

inline constexpr std::size_t super_bytes = 28; // magic, version, nr_entries (u64), sectorsize (u32)
inline constexpr std::size_t entry_header_bytes = 32; // sector, nr_sectors, flags, data_len (u64)

// The kernel uses the data device's logical block size: 512..4096 in
// practice; anything outside 512..64 KiB or not a power of two is corrupt.
inline constexpr std::uint32_t min_sectorsize = 512;
inline constexpr std::uint32_t max_sectorsize = 64 * 1024;

struct LogSuper {
	std::uint64_t magic = 0;
	std::uint64_t version = 0;
	std::uint64_t nr_entries = 0;
	std::uint32_t sectorsize = 0;
};

struct EntryHeader {
	std::uint64_t sector = 0;     // in sectorsize units
	std::uint64_t nr_sectors = 0; // in sectorsize units
	std::uint64_t flags = 0;
	std::uint64_t data_len = 0;   // bytes of inline data (a mark's name)
};

LogSuper decode_super(std::span<const std::byte, super_bytes> bytes) noexcept;
EntryHeader decode_entry_header(std::span<const std::byte, entry_header_bytes> bytes) noexcept;

// "FLUSH|FUA", "DISCARD", "-" for none; unknown bits as "0x40".
std::string flags_text(std::uint64_t flags);

} // namespace hps::logreplay
