// SPDX-License-Identifier: GPL-2.0-only
// Little-endian field writers and readers for the replication codec.
// Fields are put and taken one by one, never by copying a struct, so the
// wire layout owes nothing to the compiler's padding or the host's byte
// order.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace hpsd::replication {

class ByteWriter {
public:
	explicit ByteWriter(std::vector<std::byte>& out) noexcept : out_(out) {}

	void u8(std::uint8_t v) { out_.push_back(static_cast<std::byte>(v)); }
	void u16(std::uint16_t v) { put(v, 2); }
	void u32(std::uint32_t v) { put(v, 4); }
	void u64(std::uint64_t v) { put(v, 8); }
	template <std::size_t N>
	void bytes(const std::array<std::uint8_t, N>& a)
	{
		for (std::uint8_t b : a)
			u8(b);
	}
	void bytes(std::span<const std::byte> s) { out_.insert(out_.end(), s.begin(), s.end()); }

private:
	void put(std::uint64_t v, int n)
	{
		for (int i = 0; i < n; i++)
			u8(static_cast<std::uint8_t>(v >> (8 * i)));
	}

	std::vector<std::byte>& out_;
};

// Reads from a span.  A read past the end yields zeros and marks the reader
// overrun instead of touching memory it does not own; decoders check their
// lengths first and overrun() at the end, so this is a safety net, not
// the way a short payload is reported.
class ByteReader {
public:
	explicit ByteReader(std::span<const std::byte> in) noexcept : in_(in) {}

	std::size_t remaining() const noexcept { return in_.size() - pos_; }
	bool overrun() const noexcept { return overrun_; }

	std::uint8_t u8() noexcept { return static_cast<std::uint8_t>(get(1)); }
	std::uint16_t u16() noexcept { return static_cast<std::uint16_t>(get(2)); }
	std::uint32_t u32() noexcept { return static_cast<std::uint32_t>(get(4)); }
	std::uint64_t u64() noexcept { return get(8); }
	template <std::size_t N>
	void bytes(std::array<std::uint8_t, N>& a) noexcept
	{
		for (auto& b : a)
			b = u8();
	}
	// The next n bytes as a view (empty, and overrun, if fewer remain).
	std::span<const std::byte> view(std::size_t n) noexcept
	{
		if (n > remaining()) {
			overrun_ = true;
			pos_ = in_.size();
			return {};
		}
		auto s = in_.subspan(pos_, n);
		pos_ += n;
		return s;
	}

private:
	std::uint64_t get(std::size_t n) noexcept
	{
		if (n > remaining()) {
			overrun_ = true;
			pos_ = in_.size();
			return 0;
		}
		std::uint64_t v = 0;
		for (std::size_t i = 0; i < n; i++)
			v |= std::uint64_t{static_cast<std::uint8_t>(in_[pos_ + i])} << (8 * i);
		pos_ += n;
		return v;
	}

	std::span<const std::byte> in_;
	std::size_t pos_ = 0;
	bool overrun_ = false;
};

} // namespace hpsd::replication
