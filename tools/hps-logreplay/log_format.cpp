// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/log_format.hpp"

#include <array>
#include <cstdio>

namespace hps::logreplay {
namespace {

template <std::size_t N>
std::uint64_t le(std::span<const std::byte> bytes) noexcept
{
	std::uint64_t v = 0;
	for (std::size_t i = 0; i < N; ++i)
		v |= std::uint64_t(std::to_integer<unsigned>(bytes[i])) << (8 * i);
	return v;
}

} // namespace

LogSuper decode_super(std::span<const std::byte, super_bytes> bytes) noexcept
{
	LogSuper s;
	s.magic = le<8>(bytes.subspan(0, 8));
	s.version = le<8>(bytes.subspan(8, 8));
	s.nr_entries = le<8>(bytes.subspan(16, 8));
	s.sectorsize = static_cast<std::uint32_t>(le<4>(bytes.subspan(24, 4)));
	return s;
}

EntryHeader decode_entry_header(std::span<const std::byte, entry_header_bytes> bytes) noexcept
{
	EntryHeader e;
	e.sector = le<8>(bytes.subspan(0, 8));
	e.nr_sectors = le<8>(bytes.subspan(8, 8));
	e.flags = le<8>(bytes.subspan(16, 8));
	e.data_len = le<8>(bytes.subspan(24, 8));
	return e;
}

std::string flags_text(std::uint64_t flags)
{
	struct Name {
		std::uint64_t bit;
		const char* text;
	};
	static constexpr std::array<Name, 5> names{{{flag_flush, "FLUSH"},
						    {flag_fua, "FUA"},
						    {flag_discard, "DISCARD"},
						    {flag_mark, "MARK"},
						    {flag_metadata, "META"}}};
	std::string text;
	for (const auto& n : names) {
		if (flags & n.bit)
			text += (text.empty() ? "" : "|") + std::string(n.text);
	}
	if (std::uint64_t unknown = flags & ~known_flags) {
		std::array<char, 24> buf{};
		std::snprintf(buf.data(), buf.size(), "0x%llx", static_cast<unsigned long long>(unknown));
		text += (text.empty() ? "" : "|") + std::string(buf.data());
	}
	return text.empty() ? "-" : text;
}

} // namespace hps::logreplay
