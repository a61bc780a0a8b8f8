// SPDX-License-Identifier: GPL-2.0-only
// CRC-32C (Castagnoli), as iSCSI, ext4 and the dm-hps metadata use it:
// reflected polynomial 0x82f63b78, initial value and final xor ~0, so
// crc32c("123456789") == 0xe3069283.  The replication frames carry two.
#pragma once

#include <cstdint>
#include <span>

namespace hpsd::replication {

// SSE4.2's crc32 instruction when the CPU has it (every x86-64 server of
// the last fifteen years: ~20 GB/s, so a 4 KiB WRITE costs well under a
// microsecond), else a table.
std::uint32_t crc32c(std::span<const std::byte> data) noexcept;

// Continues a CRC: crc32c(a ++ b) == crc32c_extend(crc32c(a), b), so a
// frame's header and separately held data need no copy into one buffer.
std::uint32_t crc32c_extend(std::uint32_t crc, std::span<const std::byte> data) noexcept;

// The table version alone, so tests compare the two on the same input.
std::uint32_t crc32c_portable(std::uint32_t crc, std::span<const std::byte> data) noexcept;

} // namespace hpsd::replication
