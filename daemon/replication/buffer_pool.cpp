// SPDX-License-Identifier: GPL-2.0-only
#include "replication/buffer_pool.hpp"

#include <bit>
#include <utility>

namespace hpsd::replication {

AlignedBuffer AlignedBuffer::allocate(std::size_t capacity)
{
	AlignedBuffer b;
	void* p = nullptr;
	if (capacity == 0 || ::posix_memalign(&p, alignment, capacity) != 0)
		return b;
	b.data_.reset(static_cast<std::byte*>(p));
	b.capacity_ = capacity;
	return b;
}

std::size_t BufferPool::size_class(std::size_t size) noexcept
{
	return size <= AlignedBuffer::alignment ? AlignedBuffer::alignment : std::bit_ceil(size);
}

hps::Result<AlignedBuffer, std::string> BufferPool::acquire(std::size_t size)
{
	// Far above any WRITE (max_write_limit is 16 MiB); also keeps
	// bit_ceil defined.
	if (size > max_buffer_bytes)
		return hps::fail("a buffer of " + std::to_string(size) +
				 " bytes is past the limit of " + std::to_string(max_buffer_bytes));
	const std::size_t capacity = size_class(size);
	if (auto it = kept_.find(capacity); it != kept_.end() && !it->second.empty()) {
		AlignedBuffer b = std::move(it->second.back());
		it->second.pop_back();
		kept_bytes_ -= capacity;
		b.resize(size);
		return b;
	}
	AlignedBuffer b = AlignedBuffer::allocate(capacity);
	if (!b.valid())
		return hps::fail("out of memory for a buffer of " + std::to_string(capacity) +
				 " bytes");
	b.resize(size);
	return b;
}

void BufferPool::release(AlignedBuffer buffer)
{
	if (!buffer.valid() || kept_bytes_ + buffer.capacity() > keep_bytes_)
		return; // freed here
	kept_bytes_ += buffer.capacity();
	buffer.resize(0);
	kept_[buffer.capacity()].push_back(std::move(buffer));
}

} // namespace hpsd::replication
