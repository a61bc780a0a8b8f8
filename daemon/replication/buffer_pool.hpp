// SPDX-License-Identifier: GPL-2.0-only
// Buffers aligned for O_DIRECT (4096 bytes), and a small pool that keeps
// released ones for reuse.
//
// The secondary's applier copies every WRITE's data out of the link's
// receive buffer (valid only during the delivery) into one of these, which
// the kernel then reads from.  Writes of up to 1 MiB would otherwise cost
// an mmap, page faults and an munmap each (glibc serves large allocations
// from mmap), so released buffers are kept, by power-of-two size class,
// up to a byte budget.  Single-threaded, like the applier.
#pragma once

#include "util/result.hpp"

#include <cstddef>
#include <cstdlib>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace hpsd::replication {

// Sole owner of one aligned allocation; move-only.
class AlignedBuffer {
public:
	static constexpr std::size_t alignment = 4096;

	AlignedBuffer() = default;

	// `capacity` bytes (a multiple of alignment), of which the first
	// `size` are in use.  Empty (valid() false) when memory ran out.
	static AlignedBuffer allocate(std::size_t capacity);

	bool valid() const noexcept { return data_ != nullptr; }
	std::size_t capacity() const noexcept { return capacity_; }
	std::size_t size() const noexcept { return size_; }
	void resize(std::size_t size) noexcept { size_ = size <= capacity_ ? size : capacity_; }
	std::span<std::byte> span() noexcept { return {data_.get(), size_}; }
	std::span<const std::byte> span() const noexcept { return {data_.get(), size_}; }

private:
	struct Free {
		void operator()(std::byte* p) const noexcept { std::free(p); }
	};
	std::unique_ptr<std::byte, Free> data_;
	std::size_t capacity_ = 0;
	std::size_t size_ = 0;
};

class BufferPool {
public:
	// Released buffers are kept while they add up to at most `keep_bytes`.
	explicit BufferPool(std::size_t keep_bytes = default_keep_bytes)
		: keep_bytes_(keep_bytes)
	{
	}
	static constexpr std::size_t default_keep_bytes = 16u << 20;
	static constexpr std::size_t max_buffer_bytes = 1u << 30;

	// A buffer of `size` bytes (capacity: the next power of two, at least
	// 4096), reused when one of that class is kept.  Fails when memory
	// ran out or `size` is past max_buffer_bytes.
	hps::Result<AlignedBuffer, std::string> acquire(std::size_t size);
	// Gives a buffer back; kept if the budget allows, else freed.  The
	// caller must be sure nothing (the kernel included) still uses it.
	void release(AlignedBuffer buffer);

	std::size_t kept_bytes() const noexcept { return kept_bytes_; }

	static std::size_t size_class(std::size_t size) noexcept;

private:
	std::size_t keep_bytes_;
	std::size_t kept_bytes_ = 0;
	std::map<std::size_t, std::vector<AlignedBuffer>> kept_; // by capacity
};

} // namespace hpsd::replication
