// SPDX-License-Identifier: GPL-2.0-only
#include "replication/crc32c.hpp"

#include <array>
#include <cstring>

namespace hpsd::replication {
namespace {

constexpr std::uint32_t poly = 0x82f63b78; // reflected Castagnoli

constexpr std::array<std::uint32_t, 256> make_table() noexcept
{
	std::array<std::uint32_t, 256> table{};
	for (std::uint32_t i = 0; i < 256; i++) {
		std::uint32_t c = i;
		for (int bit = 0; bit < 8; bit++)
			c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
		table[i] = c;
	}
	return table;
}

constexpr auto table = make_table();

// The raw register update, without the initial/final inversion.
std::uint32_t update_portable(std::uint32_t reg, std::span<const std::byte> data) noexcept
{
	for (std::byte b : data)
		reg = table[(reg ^ static_cast<std::uint8_t>(b)) & 0xff] ^ (reg >> 8);
	return reg;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t update_sse42(std::uint32_t reg,
							      std::span<const std::byte> data) noexcept
{
	const std::byte* p = data.data();
	std::size_t n = data.size();
	std::uint64_t r = reg;
	while (n >= 8) {
		std::uint64_t word;
		std::memcpy(&word, p, sizeof(word)); // no alignment assumed
		r = __builtin_ia32_crc32di(r, word);
		p += 8;
		n -= 8;
	}
	auto r32 = static_cast<std::uint32_t>(r);
	while (n-- > 0)
		r32 = __builtin_ia32_crc32qi(r32, static_cast<std::uint8_t>(*p++));
	return r32;
}

bool have_sse42() noexcept
{
	// Asked once; the answer cannot change while the process runs.
	static const bool have = __builtin_cpu_supports("sse4.2");
	return have;
}
#endif

std::uint32_t update(std::uint32_t reg, std::span<const std::byte> data) noexcept
{
#if defined(__x86_64__)
	if (have_sse42())
		return update_sse42(reg, data);
#endif
	return update_portable(reg, data);
}

} // namespace

std::uint32_t crc32c_extend(std::uint32_t crc, std::span<const std::byte> data) noexcept
{
	return ~update(~crc, data);
}

std::uint32_t crc32c(std::span<const std::byte> data) noexcept
{
	return crc32c_extend(0, data);
}

std::uint32_t crc32c_portable(std::uint32_t crc, std::span<const std::byte> data) noexcept
{
	return ~update_portable(~crc, data);
}

} // namespace hpsd::replication
