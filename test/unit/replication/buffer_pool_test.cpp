// SPDX-License-Identifier: GPL-2.0-only
// The applier's aligned data buffers and the pool that reuses them.
#include "replication/buffer_pool.hpp"

#include <catch2/catch.hpp>

#include <cstdint>

using hpsd::replication::AlignedBuffer;
using hpsd::replication::BufferPool;

namespace {

bool aligned(const AlignedBuffer& b)
{
	return reinterpret_cast<std::uintptr_t>(b.span().data()) % AlignedBuffer::alignment == 0;
}

} // namespace

TEST_CASE("buffer pool: sizes round up to a power of two of at least 4096",
	  "[replication][buffer_pool]")
{
	CHECK(BufferPool::size_class(512) == 4096);
	CHECK(BufferPool::size_class(4096) == 4096);
	CHECK(BufferPool::size_class(4608) == 8192);
	CHECK(BufferPool::size_class(1u << 20) == (1u << 20));
}

TEST_CASE("buffer pool: buffers are aligned and sized as asked", "[replication][buffer_pool]")
{
	BufferPool pool;
	auto b = pool.acquire(12288);
	REQUIRE(b);
	CHECK(b->valid());
	CHECK(b->size() == 12288);
	CHECK(b->capacity() == 16384);
	CHECK(aligned(*b));
}

TEST_CASE("buffer pool: a released buffer is reused for its size class",
	  "[replication][buffer_pool]")
{
	BufferPool pool;
	auto first = pool.acquire(8192);
	REQUIRE(first);
	const std::byte* where = first->span().data();
	pool.release(std::move(*first));
	CHECK(pool.kept_bytes() == 8192);

	auto other_class = pool.acquire(4096);
	REQUIRE(other_class);
	CHECK(other_class->span().data() != where);

	auto again = pool.acquire(6144); // same class as 8192
	REQUIRE(again);
	CHECK(again->span().data() == where);
	CHECK(again->size() == 6144);
	CHECK(pool.kept_bytes() == 0);
}

TEST_CASE("buffer pool: keeps no more than its budget", "[replication][buffer_pool]")
{
	BufferPool pool(8192);
	auto a = pool.acquire(4096);
	auto b = pool.acquire(4096);
	auto c = pool.acquire(4096);
	REQUIRE((a && b && c));
	pool.release(std::move(*a));
	pool.release(std::move(*b));
	pool.release(std::move(*c)); // over the budget: freed
	CHECK(pool.kept_bytes() == 8192);
}

TEST_CASE("buffer pool: refuses an absurd size", "[replication][buffer_pool]")
{
	BufferPool pool;
	auto b = pool.acquire(BufferPool::max_buffer_bytes + 1);
	REQUIRE_FALSE(b);
	CHECK(b.error().find("past the limit") != std::string::npos);
}
