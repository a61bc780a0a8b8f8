// SPDX-License-Identifier: GPL-2.0-only
// What the writeback engine needs of the world, as three small interfaces,
// so that its logic is tested with fakes (test/unit/writeback/engine_test.cpp)
// and driven in hpsd by the real adapters:
//
//   KernelWriteback  WB_TAKE / WB_DONE on /dev/hps-channel (ioctl_kernel.hpp)
//   CacheReader      O_DIRECT reads of a pool's cache device (uring_reader.hpp)
//   BackendWriter    writes and flushes of RBD images (backend/rbd_writer.hpp)
//   ReplicaCleaner   (optional) clean marks for a primary's peer, through
//                    replication (core/replica_cleaner.hpp)
//
// The kernel calls are synchronous (short ioctls); reads and writes are
// asynchronous and report through an IoCallback, exactly once, from any
// thread (librbd calls back on its own threads).
#pragma once

#include "util/result.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hpsd::writeback {

// One block WB_TAKE handed out (struct hps_wb_block).
struct TakenBlock {
	std::uint64_t block = 0;	// pool block: given back in WB_DONE
	std::uint64_t cache_offset = 0; // bytes on the cache device
	std::uint64_t offset = 0;	// bytes into the volume
	std::uint32_t volume_id = 0;
	std::uint32_t len = 0; // bytes, the pool's block size

	friend bool operator==(const TakenBlock&, const TakenBlock&) = default;
};

// A pool's cache device, as WB_TAKE names it.
struct CacheDevice {
	std::uint32_t major = 0;
	std::uint32_t minor = 0;

	friend bool operator==(const CacheDevice&, const CacheDevice&) = default;
};

// What a WB_TAKE asks besides the pool.
struct TakeRequest {
	std::uint32_t max = 0;	       // blocks to take, 0..4096; 0 only reports the counts
	std::chrono::milliseconds roll{0}; // a new dirty epoch once the current is this old; 0 never
	std::uint32_t throttle_us = 0; // delay each new write this long (a 5 s lease); 0 none
	std::chrono::milliseconds min_age{0}; // take only blocks dirty this long; 0 any
};

struct TakeResult {
	std::vector<TakenBlock> blocks;
	CacheDevice cache;
	std::uint64_t dirty = 0; // dirty blocks in the pool, those just taken included
	std::uint64_t total = 0; // blocks in the pool
	std::chrono::milliseconds age{0}; // every block taken has been dirty at least this long
};

// One block's outcome for WB_DONE: 0 (on the backend and flushed) or -errno.
struct BlockResult {
	std::uint64_t block = 0;
	int error = 0;

	friend bool operator==(const BlockResult&, const BlockResult&) = default;
};

struct DoneResult {
	std::uint32_t cleaned = 0;
	std::uint32_t kept = 0; // rewritten since taken, or failed: still dirty
	// One per result, in order: the kernel marked that block clean
	// (HPS_WB_CLEANED).  Empty when not known: none counts as cleaned.
	std::vector<bool> cleaned_each;
};

class KernelWriteback {
public:
	virtual ~KernelWriteback() = default;
	// Errors are negative errnos: -ENOENT no such pool, -ENODEV no channel.
	virtual hps::Result<TakeResult, int> take(std::uint32_t pool_id, const TakeRequest& request) = 0;
	// At most HPS_WB_MAX (4096) results a call; the engine splits.
	virtual hps::Result<DoneResult, int> done(std::uint32_t pool_id,
						  std::span<const BlockResult> results) = 0;
};

// 0 or a negative errno.
using IoCallback = std::function<void(int result)>;

// One read of a batch: into.size() bytes at `offset` into `into`.
struct CacheRead {
	std::uint64_t offset = 0;
	std::span<std::byte> into;
	IoCallback done;
};

class CacheReader {
public:
	virtual ~CacheReader() = default;
	// Reads into.size() bytes at `offset` of the device into `into`
	// (4 KiB aligned, as O_DIRECT wants); `into` stays valid until done.
	virtual void read(CacheDevice device, std::uint64_t offset, std::span<std::byte> into,
			  IoCallback done) = 0;
	// Several reads at once (a writeback io's blocks, scattered over the
	// cache device): a reader may submit them together.
	virtual void read_many(CacheDevice device, std::vector<CacheRead> reads)
	{
		for (CacheRead& r : reads)
			read(device, r.offset, r.into, std::move(r.done));
	}
};

class BackendWriter {
public:
	virtual ~BackendWriter() = default;
	// `data` stays valid until done.
	virtual void write(const std::string& image, std::uint64_t offset,
			   std::span<const std::byte> data, IoCallback done) = 0;
	// Makes every write to `image` that completed before this call durable.
	virtual void flush(const std::string& image, IoCallback done) = 0;
};

// What stamps a CLEAN for a primary's peer (PROTOCOL.md, "Clean-mark
// propagation"): opaque to the engine, which only carries it from the take
// to the report.
struct CleanStamp {
	std::uint64_t token = 0;
	std::uint64_t seq = 0;

	friend bool operator==(const CleanStamp&, const CleanStamp&) = default;
};

class ReplicaCleaner {
public:
	virtual ~ReplicaCleaner() = default;
	// Called right after a WB_TAKE returned, once per volume of the blocks
	// it took: the stamp of their CLEAN, or nullopt when none is to be
	// sent (not a replicated primary, its peer's copy not live).
	virtual std::optional<CleanStamp> capture(std::uint32_t volume_id) = 0;
	// WB_DONE marked these blocks of `volume_id`, taken under `stamp`,
	// clean: [offset, offset + length) ranges in bytes, in order, adjacent
	// blocks joined.  Must not block (it hands them on).
	virtual void cleaned(std::uint32_t volume_id, CleanStamp stamp,
			     std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges) = 0;
};

} // namespace hpsd::writeback
