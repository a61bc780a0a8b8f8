// SPDX-License-Identifier: GPL-2.0-only
#include "replication/change_log.hpp"

#include <algorithm>
#include <bit>
#include <limits>

namespace hpsd::replication {
namespace {

constexpr unsigned word_bits = 64;
constexpr std::uint64_t all_ones = ~std::uint64_t{0};

std::uint64_t blocks_for(std::uint64_t volume_bytes, unsigned shift) noexcept
{
	const std::uint64_t mask = (std::uint64_t{1} << shift) - 1;
	return (volume_bytes >> shift) + ((volume_bytes & mask) != 0 ? 1 : 0);
}

// Bits [bit, bit + n) of one word, 0 < n <= 64 - bit.
std::uint64_t bit_mask(std::uint64_t bit, std::uint64_t n) noexcept
{
	const std::uint64_t low = n == word_bits ? all_ones : (std::uint64_t{1} << n) - 1;
	return low << bit;
}

} // namespace

hps::Result<ChangeLog, std::string> ChangeLog::create(std::uint64_t volume_bytes,
						      std::uint64_t block_bytes,
						      std::size_t max_bitmap_bytes)
{
	if (block_bytes < min_block_bytes || !std::has_single_bit(block_bytes))
		return hps::fail("change log: block size " + std::to_string(block_bytes) +
				 " is not a power of two >= " + std::to_string(min_block_bytes));
	if (max_bitmap_bytes < sizeof(std::uint64_t))
		return hps::fail("change log: bitmap limit " + std::to_string(max_bitmap_bytes) +
				 " bytes is less than one word");
	const std::uint64_t max_words = max_bitmap_bytes / sizeof(std::uint64_t);
	const std::uint64_t max_bits = max_words > std::numeric_limits<std::uint64_t>::max() / word_bits
					       ? std::numeric_limits<std::uint64_t>::max()
					       : max_words * word_bits;
	// Coarser until the bitmap fits; at shift 63 any volume is <= 2 bits,
	// and max_bits >= 64, so this ends by then.
	auto shift = static_cast<unsigned>(std::countr_zero(block_bytes));
	while (blocks_for(volume_bytes, shift) > max_bits)
		++shift;
	return ChangeLog(volume_bytes, shift, blocks_for(volume_bytes, shift));
}

ChangeLog::ChangeLog(std::uint64_t volume_bytes, unsigned shift, std::uint64_t blocks)
	: words_((blocks + word_bits - 1) / word_bits, 0), volume_bytes_(volume_bytes),
	  blocks_(blocks), shift_(shift)
{
}

void ChangeLog::mark(std::uint64_t offset, std::uint64_t length)
{
	if (length == 0 || offset >= volume_bytes_)
		return;
	// Clipped without computing offset + length, which may wrap.
	const std::uint64_t last =
		length > volume_bytes_ - offset ? volume_bytes_ - 1 : offset + length - 1;
	set_range(offset >> shift_, (last >> shift_) + 1);
}

void ChangeLog::mark_all()
{
	set_range(0, blocks_);
}

std::optional<ChangeLog::Run> ChangeLog::take(std::uint64_t max_bytes)
{
	if (marked_ == 0)
		return std::nullopt;
	std::uint64_t start = find_set(cursor_, blocks_);
	if (start == blocks_)
		start = find_set(0, cursor_); // found: marked_ > 0
	const std::uint64_t max_blocks = std::max<std::uint64_t>(max_bytes >> shift_, 1);
	const std::uint64_t limit = start + std::min(max_blocks, blocks_ - start);
	const std::uint64_t end = find_clear(start, limit);
	clear_range(start, end);
	cursor_ = end;
	// end << shift_ may pass 2^64 for the volume's last block; it is
	// clipped to the volume anyway.
	const std::uint64_t end_bytes = end == blocks_ ? volume_bytes_ : end << shift_;
	const std::uint64_t offset = start << shift_;
	return Run{offset, end_bytes - offset};
}

std::uint64_t ChangeLog::bytes() const noexcept
{
	if (marked_ == 0)
		return 0;
	const std::uint64_t last = blocks_ - 1;
	if (((words_[last / word_bits] >> (last % word_bits)) & 1) == 0)
		return marked_ << shift_;
	return ((marked_ - 1) << shift_) + (volume_bytes_ - (last << shift_));
}

void ChangeLog::set_range(std::uint64_t first, std::uint64_t end)
{
	while (first < end) {
		const std::uint64_t bit = first % word_bits;
		const std::uint64_t n = std::min<std::uint64_t>(word_bits - bit, end - first);
		const std::uint64_t mask = bit_mask(bit, n);
		std::uint64_t& word = words_[first / word_bits];
		marked_ += static_cast<std::uint64_t>(std::popcount(mask & ~word));
		word |= mask;
		first += n;
	}
}

void ChangeLog::clear_range(std::uint64_t first, std::uint64_t end)
{
	while (first < end) {
		const std::uint64_t bit = first % word_bits;
		const std::uint64_t n = std::min<std::uint64_t>(word_bits - bit, end - first);
		const std::uint64_t mask = bit_mask(bit, n);
		std::uint64_t& word = words_[first / word_bits];
		marked_ -= static_cast<std::uint64_t>(std::popcount(mask & word));
		word &= ~mask;
		first += n;
	}
}

std::uint64_t ChangeLog::find_set(std::uint64_t from, std::uint64_t limit) const noexcept
{
	if (from >= limit)
		return limit;
	std::uint64_t w = from / word_bits;
	std::uint64_t word = words_[w] & (all_ones << (from % word_bits));
	// limit <= blocks_, so every word read here exists.
	while (word == 0) {
		if (++w * word_bits >= limit)
			return limit;
		word = words_[w];
	}
	return std::min(w * word_bits + static_cast<std::uint64_t>(std::countr_zero(word)), limit);
}

std::uint64_t ChangeLog::find_clear(std::uint64_t from, std::uint64_t limit) const noexcept
{
	if (from >= limit)
		return limit;
	std::uint64_t w = from / word_bits;
	// Bits past blocks_ are clear, so their inverse stops the scan there.
	std::uint64_t word = ~words_[w] & (all_ones << (from % word_bits));
	while (word == 0) {
		if (++w * word_bits >= limit)
			return limit;
		word = ~words_[w];
	}
	return std::min(w * word_bits + static_cast<std::uint64_t>(std::countr_zero(word)), limit);
}

} // namespace hpsd::replication
