// SPDX-License-Identifier: GPL-2.0-only
// A tiny dm-log-writes log *writer* for the tests: builds logs laid out as
// the kernel's dm-log-writes.c writes them, independently of the parser
// (its own little-endian encoding), and models the device each prefix of
// the log leaves behind.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hps::logreplay::test {

inline constexpr std::uint64_t magic = 0x6a736677736872ULL;
inline constexpr std::uint64_t FLUSH = 1, FUA = 2, DISCARD = 4, MARK = 8, META = 16;

// n bytes of a pattern that differs per seed and per position.
inline std::vector<std::byte> pattern(std::size_t n, unsigned seed)
{
	std::vector<std::byte> v(n);
	std::uint32_t x = seed * 2654435761U + 1;
	for (auto& b : v) {
		x = x * 1103515245U + 12345U;
		b = std::byte((x >> 16) & 0xff);
	}
	return v;
}

class LogWriter {
public:
	struct Entry {
		std::uint64_t sector = 0;
		std::uint64_t nr_sectors = 0;
		std::uint64_t flags = 0;
		std::uint64_t data_len = 0;
		std::vector<std::byte> payload; // a write's data or a mark's name
	};

	explicit LogWriter(std::uint32_t sectorsize = 512) : ss_(sectorsize) {}

	std::uint32_t sectorsize() const { return ss_; }
	std::size_t count() const { return entries_.size(); }
	std::vector<Entry>& entries() { return entries_; }

	// data.size() must be a multiple of the sector size.
	std::uint64_t write(std::uint64_t sector, std::vector<std::byte> data, std::uint64_t flags = 0)
	{
		Entry e{sector, data.size() / ss_, flags, 0, std::move(data)};
		return add(std::move(e));
	}
	std::uint64_t flush() { return add({0, 0, FLUSH, 0, {}}); }
	std::uint64_t discard(std::uint64_t sector, std::uint64_t nr_sectors)
	{
		return add({sector, nr_sectors, DISCARD, 0, {}});
	}
	std::uint64_t mark(const std::string& name)
	{
		std::vector<std::byte> n(name.size());
		std::transform(name.begin(), name.end(), n.begin(), [](char c) { return std::byte(c); });
		return add({0, 0, MARK, name.size(), std::move(n)});
	}
	std::uint64_t add(Entry e)
	{
		entries_.push_back(std::move(e));
		return entries_.size() - 1;
	}

	// The log device's bytes; nr_entries defaults to the number of entries.
	std::vector<std::byte> bytes(std::optional<std::uint64_t> nr_entries = std::nullopt) const
	{
		std::vector<std::byte> out(ss_);
		put(out, 0, magic);
		put(out, 8, 1);
		put(out, 16, nr_entries.value_or(entries_.size()));
		put32(out, 24, ss_);
		for (const auto& e : entries_) {
			std::size_t at = out.size();
			out.resize(at + ss_);
			put(out, at, e.sector);
			put(out, at + 8, e.nr_sectors);
			put(out, at + 16, e.flags);
			put(out, at + 24, e.data_len);
			if (e.flags & MARK) {
				std::copy_n(e.payload.begin(), std::min<std::size_t>(e.payload.size(), ss_ - 32),
					    out.begin() + static_cast<std::ptrdiff_t>(at + 32));
			} else if (!(e.flags & DISCARD)) {
				out.insert(out.end(), e.payload.begin(), e.payload.end());
			}
		}
		return out;
	}

	// The replay target after entries 0..last on an empty regular file: it
	// grows with writes; discards zero what exists.
	std::vector<std::byte> image_after(std::uint64_t last) const
	{
		std::vector<std::byte> img;
		for (std::uint64_t i = 0; i <= last && i < entries_.size(); ++i) {
			const Entry& e = entries_[i];
			std::size_t off = e.sector * ss_;
			if (e.flags & DISCARD) {
				std::size_t end = std::min<std::size_t>(img.size(), off + e.nr_sectors * ss_);
				if (off < end)
					std::fill(img.begin() + static_cast<std::ptrdiff_t>(off),
						  img.begin() + static_cast<std::ptrdiff_t>(end), std::byte{0});
			} else if (!(e.flags & MARK) && !e.payload.empty()) {
				img.resize(std::max(img.size(), off + e.payload.size()));
				std::copy(e.payload.begin(), e.payload.end(),
					  img.begin() + static_cast<std::ptrdiff_t>(off));
			}
		}
		return img;
	}

private:
	static void put(std::vector<std::byte>& v, std::size_t at, std::uint64_t x)
	{
		for (int i = 0; i < 8; ++i)
			v[at + i] = std::byte((x >> (8 * i)) & 0xff);
	}
	static void put32(std::vector<std::byte>& v, std::size_t at, std::uint32_t x)
	{
		for (int i = 0; i < 4; ++i)
			v[at + i] = std::byte((x >> (8 * i)) & 0xff);
	}

	std::uint32_t ss_;
	std::vector<Entry> entries_;
};

// A log exercising every kind of entry: writes, an overwrite, FLUSH, FUA,
// FLUSH|FUA, a discard, marks, a write left unflushed at the end.
inline LogWriter sample_log(std::uint32_t ss = 512)
{
	LogWriter w(ss);
	w.write(0, pattern(8 * ss, 1));	       // 0
	w.write(16, pattern(4 * ss, 2));       // 1
	w.flush();			       // 2
	w.mark("one");			       // 3
	w.write(2, pattern(2 * ss, 3), FUA);   // 4 overwrites part of 0
	w.write(100, pattern(1 * ss, 4));      // 5
	w.discard(4, 3);		       // 6 zeroes part of 0
	w.flush();			       // 7
	w.mark("two");			       // 8
	w.write(17, pattern(ss, 5), FLUSH | FUA); // 9
	w.write(40, pattern(3 * ss, 6), META); // 10
	w.discard(1000, 8);		       // 11 past the end of what exists
	w.mark("dm-log-writes-end");	       // 12
	return w;
}

} // namespace hps::logreplay::test
