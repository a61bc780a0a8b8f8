// SPDX-License-Identifier: GPL-2.0-only
// A heap buffer aligned for O_DIRECT (4 KiB), freed on destruction.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <span>

namespace hpsd::writeback {

class AlignedBuffer {
public:
	static constexpr std::size_t alignment = 4096;

	AlignedBuffer() = default;
	explicit AlignedBuffer(std::size_t bytes)
		: data_(static_cast<std::byte*>(
			  std::aligned_alloc(alignment, round_up(bytes == 0 ? 1 : bytes)))),
		  size_(data_ ? bytes : 0)
	{
	}

	bool valid() const noexcept { return data_ != nullptr; }
	std::size_t size() const noexcept { return size_; }
	std::span<std::byte> span() noexcept { return {data_.get(), size_}; }
	std::span<const std::byte> span() const noexcept { return {data_.get(), size_}; }

private:
	struct Free {
		void operator()(std::byte* p) const noexcept { std::free(p); }
	};
	static std::size_t round_up(std::size_t n) noexcept
	{
		return (n + alignment - 1) / alignment * alignment;
	}

	std::unique_ptr<std::byte, Free> data_;
	std::size_t size_ = 0;
};

} // namespace hpsd::writeback
