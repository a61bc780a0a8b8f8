// SPDX-License-Identifier: GPL-2.0-only
// The writeback engine: drives the Planner against the kernel, the cache
// devices and RBD.  For each pool it
//
//   1. takes dirty blocks from the kernel (WB_TAKE: oldest dirty epoch
//      first, marked under writeback there) and adds them to the pool's
//      planner, each with a seq of its own (taken later = newer);
//   2. issues the planner's ios: reads the blocks from the cache device,
//      then one RBD write per io (adjacent blocks of a volume coalesced),
//      at most max_inflight ios per pool, at the configured rate;
//   3. collects the blocks the planner calls written, per volume, and
//      flushes that volume's image; only when the flush succeeded are the
//      blocks reported clean (WB_DONE 0).  The kernel keeps a block dirty
//      when it was written since the take (sequence check);
//   4. on failures (Ceph down) the planner backs off; once no io of the
//      pool is in flight every block it holds is handed back to the kernel
//      with the error (WB_DONE -errno: still dirty, no longer under
//      writeback), and taking resumes when the backoff expires, probing
//      with one io until one succeeds.  Nothing is dropped: a block leaves
//      the kernel's dirty set only through a successful flush.
//
// Threading: everything but the methods marked "any thread" runs on one
// thread (EngineThread's), through step().  Completions arrive on other
// threads; they are queued and handled by the next step(), and `wake` is
// called so the engine thread does not sleep through them.  Time is passed
// in, so tests drive the engine with a fake clock and fake seams.
#pragma once

#include "config/config.hpp"
#include "util/result.hpp"
#include "writeback/aligned_buffer.hpp"
#include "writeback/planner.hpp"
#include "writeback/seams.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hpsd::writeback {

struct EngineConfig {
	// Queue depth, io size, watermarks, backoff.  rate_bytes_per_s is the
	// node's total (hpsd.json flush_bandwidth_mbps), shared evenly by the
	// pools; 0 is unlimited.
	PlannerConfig planner;
	// WB_TAKE batch; a pool takes more once it holds fewer blocks than this.
	std::uint32_t take_batch = 4096;
	// After a take that found less than a batch: the next one no sooner
	// (the kernel does not announce new dirty blocks).  Draining: drain_poll.
	std::chrono::milliseconds poll_interval{1000};
	std::chrono::milliseconds drain_poll{50};
	// How often the list of pools is asked for again.
	std::chrono::milliseconds pools_interval{2000};
	// A volume's written blocks are flushed (then reported) once this many
	// wait, once the oldest waited flush_delay, or when the pool has
	// nothing else in flight.
	std::size_t flush_batch_blocks = 2048;
	std::chrono::milliseconds flush_delay{100};
	// A volume id the resolver does not know is asked again after this.
	std::chrono::milliseconds unknown_volume_retry{10000};
};

using PoolLister = std::function<std::vector<std::uint32_t>()>;
using ImageResolver = std::function<std::optional<std::string>(std::uint32_t volume_id)>;
using EngineLog = std::function<void(LogLevel, std::string_view)>;

struct PoolWritebackStatus {
	std::uint32_t pool_id = 0;
	std::uint64_t dirty_blocks = 0; // the kernel's count at the last take, less those cleaned since
	std::uint64_t total_blocks = 0;
	std::uint64_t held_blocks = 0; // taken and not reported yet
	std::size_t ios_in_flight = 0;
	Pressure pressure = Pressure::idle;
	bool backing_off = false;
	std::chrono::milliseconds retry_in{0}; // while backing off
	std::uint64_t bytes_written = 0;
	std::uint64_t blocks_cleaned = 0;
	std::uint64_t blocks_kept = 0; // reported, but rewritten meanwhile or failed
	std::uint32_t throttle_us = 0; // the kernel's delay of new writes (0: none)
	std::uint64_t errors = 0;      // failed reads, writes, flushes, kernel calls
	int last_error = 0;	       // negative errno, 0 when none yet
};

struct EngineStatus {
	std::vector<PoolWritebackStatus> pools;
	std::uint64_t bytes_written = 0;
	std::uint64_t bytes_per_s = 0; // over the last few seconds
	std::uint64_t rate_limit_bytes_per_s = 0; // 0: unlimited
	std::size_t drains_active = 0;
};

using DrainId = std::uint64_t;

// "Write back everything of a volume (or of all volumes) now": ignores the
// idle watermark; done once the kernel has nothing dirty left for it.
struct DrainProgress {
	DrainId id = 0;
	std::optional<std::uint32_t> volume; // nullopt: all volumes
	bool done = false;
	std::uint64_t blocks_cleaned = 0; // of the drain's scope, since it began
	std::uint64_t blocks_held = 0;	  // of its scope, taken and not reported
	std::uint64_t dirty_blocks = 0;	  // the pools' dirty blocks (all volumes)
	bool backing_off = false;	  // a pool is waiting out a backend failure
	int last_error = 0;
};

class Engine {
public:
	struct Seams {
		KernelWriteback& kernel;
		CacheReader& reader;
		BackendWriter& writer;
		ReplicaCleaner* cleaner = nullptr; // none: no CLEANs
	};

	// Checks the planner config; errors name the field.
	static hps::Result<std::unique_ptr<Engine>, std::string>
	create(const EngineConfig& config, const Seams& seams, PoolLister pools, ImageResolver resolve,
	       EngineLog log, std::function<void()> wake);

	// Only create() can make the key: an engine's config is always checked.
	class Key {
		friend class Engine;
		Key() = default;
	};
	Engine(Key, const EngineConfig& config, const Seams& seams, PoolLister pools,
	       ImageResolver resolve, EngineLog log, std::function<void()> wake);

	~Engine();
	Engine(const Engine&) = delete;
	Engine& operator=(const Engine&) = delete;

	// Engine thread.  Handles completions, takes, issues ios and flushes;
	// returns the latest time to call it again when nothing completes
	// before (nullopt: only a completion or a request can change anything).
	std::optional<TimePoint> step(TimePoint now);
	// Engine thread.  From now on nothing new is taken or started; what is
	// in flight finishes, written blocks are flushed and reported, and the
	// rest is handed back to the kernel.  Keep calling step() until
	// stopped().
	void begin_stop();
	bool stopped() const noexcept;

	// Any thread.
	DrainId drain(std::optional<std::uint32_t> volume);
	std::optional<DrainProgress> drain_progress(DrainId id) const;
	void cancel_drain(DrainId id);
	EngineStatus status() const;

private:
	struct Event {
		enum class Kind { read, write, flush } kind;
		std::uint64_t token;
		int result;
	};
	struct Io {
		std::uint32_t pool = 0;
		WritebackIo io;
		std::string image;
		AlignedBuffer buffer;
		std::size_t reads_left = 0;
		int error = 0;
		bool writing = false;
	};
	struct Flush {
		std::uint32_t pool = 0;
		std::uint32_t volume = 0;
		std::vector<std::uint64_t> seqs;
	};
	struct Pool {
		Pool(std::uint32_t pool_id, Planner pool_planner)
			: id(pool_id), planner(std::move(pool_planner))
		{
		}

		std::uint32_t id = 0;
		Planner planner;
		std::optional<CacheDevice> cache;
		std::map<std::uint64_t, TakenBlock> held; // by seq: taken, not reported
		std::map<std::uint64_t, CleanStamp> stamps; // by seq: held blocks' CLEAN stamp
		std::map<std::uint32_t, std::vector<std::uint64_t>> unflushed; // volume -> seqs
		std::map<std::uint32_t, TimePoint> unflushed_since;
		std::set<std::uint32_t> flushing; // volumes with a flush in flight
		TimePoint next_take{};
		unsigned empty_takes = 0; // consecutive takes that found nothing
		bool listed = true;	  // still in the pool list
		bool counted = false;	  // a take told the kernel's counts
		bool take_error_logged = false;
		bool released_round = false; // backoff round's blocks handed back
		std::chrono::milliseconds logged_delay{0}; // backoff last logged
		PoolWritebackStatus stats;
	};
	struct Drain {
		std::optional<std::uint32_t> volume;
		std::uint64_t cleaned = 0;
		std::set<std::uint32_t> clean_pools; // pools seen with nothing of it dirty
		bool done = false;
	};
	struct Sample {
		TimePoint at;
		std::uint64_t bytes;
	};


	void post(Event event);
	void handle(const Event& event, TimePoint now);
	void refresh_pools(TimePoint now);
	void apply_rate(TimePoint now);
	std::chrono::milliseconds epoch_roll() const;
	void take(Pool& pool, TimePoint now);
	std::optional<std::string> image_of(std::uint32_t volume, TimePoint now);
	void issue(Pool& pool, TimePoint now);
	void start_io(Pool& pool, WritebackIo io, TimePoint now);
	void finish_io(std::uint64_t token, TimePoint now);
	void maybe_flush(Pool& pool, TimePoint now);
	void start_flush(Pool& pool, std::uint32_t volume);
	void finish_flush(std::uint64_t token, int result);
	void release_backoff(Pool& pool);
	void release_all(Pool& pool, int error);
	std::vector<BlockResult> unhold(Pool& pool, const std::vector<DirtyExtent>& extents,
					int error);
	// `blocks`: the results' blocks as taken, when a CLEAN may follow
	// (else empty); `stamps`: theirs (nullopt: none).
	void report(Pool& pool, std::vector<BlockResult> results,
		    const std::vector<TakenBlock>& blocks = {},
		    const std::vector<std::optional<CleanStamp>>& stamps = {});
	void note_error(Pool& pool, int error, std::string_view what);
	bool draining() const noexcept { return !drains_.empty(); }
	bool in_scope(const Drain& drain, std::uint32_t volume) const noexcept;
	void update_drains(Pool& pool, bool exhaustive);
	bool pool_quiet(const Pool& pool) const;
	std::optional<TimePoint> wakeup(Pool& pool, TimePoint now);
	void publish(TimePoint now);

	EngineConfig config_;
	Seams seams_;
	PoolLister list_pools_;
	ImageResolver resolve_;
	EngineLog log_;
	std::function<void()> wake_;

	// Engine thread only.
	std::map<std::uint32_t, Pool> pools_;
	std::map<std::uint64_t, Io> ios_;
	std::map<std::uint64_t, Flush> flushes_;
	std::map<std::uint32_t, std::string> images_;	   // volume -> image, once known
	std::map<std::uint32_t, TimePoint> unknown_until_; // volume -> ask again then
	std::map<DrainId, Drain> drains_;
	std::uint64_t next_seq_ = 1;
	std::uint64_t next_token_ = 1;
	TimePoint next_pools_{};
	std::size_t rate_shares_ = 0;
	bool stopping_ = false;
	std::uint64_t bytes_written_ = 0;
	std::deque<Sample> samples_;

	// Shared with other threads.
	mutable std::mutex mutex_;
	std::vector<Event> inbox_;
	std::vector<std::pair<DrainId, std::optional<std::uint32_t>>> drain_requests_;
	std::set<DrainId> drain_cancels_;
	std::map<DrainId, DrainProgress> drain_view_;
	EngineStatus status_view_;
	DrainId next_drain_ = 1;
};

} // namespace hpsd::writeback
