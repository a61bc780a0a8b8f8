// SPDX-License-Identifier: GPL-2.0-only
// The writeback planner: decides which backend write the engine does next.
// Pure logic: no I/O, no clock (every call that depends on time takes
// `now`), so the engine's policy is tested without a kernel or a Ceph.
//
// The engine's loop, roughly:
//   planner.add(extents taken from the kernel, now);
//   planner.update_dirty(dirty, capacity)  -> tell the kernel to throttle?
//   while (auto io = planner.next_io(now))  read io->reads, rbd_aio_write
//   on completion: clean = planner.complete(id, ok, now) -> WB_DONE(clean)
//   sleep until planner.next_wakeup(now) or a completion or new extents.
//
// Policy (each part documented where it lives):
//  - Order: flush-on-demand extents first, then oldest first.  seq is per
//    volume, so "oldest" is: earliest received by the planner, then lowest
//    seq (the min over the extents an io brings up to date), then volume
//    and offset, which makes plans deterministic.
//  - Coalescing: the chosen piece grows into adjacent pending pieces of the
//    same volume while contiguous, not blocked and within max_io_bytes;
//    never across volumes or gaps.  A piece over max_io_bytes is split.
//  - Overlapping versions: newest wins (see dirty_map.hpp).
//  - Queue depth: at most max_inflight ios handed out and not completed.
//  - Rate: token bucket (rate_limiter.hpp), bypassed while urgent.
//  - Watermarks: watermarks.hpp.  Idle writes back only extents held for
//    idle_age (or nothing); flush-on-demand extents go regardless.
//  - Failures (Ceph unreachable): the io's pieces go back to pending, never
//    dropped; the planner backs off exponentially (backoff.hpp), then probes
//    with one io at a time until one succeeds, which resumes full speed.
//    Only the first failure of a round escalates the backoff: ios already
//    in flight when it failed fail too and say nothing new about Ceph.
#pragma once

#include "util/result.hpp"
#include "writeback/backoff.hpp"
#include "writeback/config.hpp"
#include "writeback/dirty_map.hpp"
#include "writeback/extent.hpp"
#include "writeback/rate_limiter.hpp"
#include "writeback/watermarks.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hpsd::writeback {

struct AddStats {
	std::size_t added = 0;
	std::size_t duplicate = 0; // already held: same volume, range and seq
	std::size_t invalid = 0;   // empty or wrapping past 2^64
};

class Planner {
public:
	// Validates `config`; errors name the field and value.
	static hps::Result<Planner, std::vector<ConfigError>> create(const PlannerConfig& config,
								    TimePoint now);

	// Takes a batch of dirty extents, in any order, of any volumes.
	AddStats add(std::span<const DirtyExtent> extents, TimePoint now);

	// New dirty level from the kernel; returns the resulting state.
	Pressure update_dirty(std::uint64_t dirty_bytes, std::uint64_t capacity_bytes) noexcept;
	Pressure pressure() const noexcept { return watermarks_.state(); }
	// Tell the kernel to delay new writes (above the high watermark).
	bool throttle_writes() const noexcept { return watermarks_.throttle_writes(); }
	// How long: see throttle_delay_us().
	std::uint32_t throttle_us() const noexcept { return watermarks_.throttle_us(); }

	// A FLUSH or snapshot wants every extent of `volume` with seq <= `seq`
	// clean: those go first, whatever the pressure.  The rate limit still
	// applies (it is the cluster's bandwidth share) unless urgent.  Only
	// extents already added are known to the planner; the engine must
	// also have taken the kernel's.
	void request_flush(std::uint32_t volume, std::uint64_t seq);
	// True once no extent of `volume` with seq <= `seq` is held.
	bool flush_done(std::uint32_t volume, std::uint64_t seq) const;

	// The next io to issue now, or nothing (queue full, backing off, rate
	// limited, idle with nothing old enough, or nothing pending).
	std::optional<WritebackIo> next_io(TimePoint now);
	// When next_io() may next have something without any other event
	// (completion, add, update_dirty, request_flush); nothing if only such
	// an event can help.  Never before `now`.
	std::optional<TimePoint> next_wakeup(TimePoint now);

	// The io finished.  On success returns the extents now wholly written
	// back (mark each clean with its seq); on failure its data goes back to
	// pending and the result is empty.  An unknown id is an error.
	hps::Result<std::vector<DirtyExtent>, std::string> complete(IoId id, bool ok, TimePoint now);

	// Hands back every extent held, as still dirty, keeping the backoff and
	// the rate limiter: the engine returns them to the kernel when Ceph is
	// down (so they are not held under writeback for the whole outage) or
	// when it stops.  An error while any io is in flight.
	hps::Result<std::vector<DirtyExtent>, std::string> release_held();

	// Changes the rate (e.g. the cluster's flush bandwidth changed).
	hps::Result<void, std::vector<ConfigError>> set_rate(std::uint64_t rate_bytes_per_s,
							     std::uint64_t burst_bytes,
							     TimePoint now);

	const PlannerConfig& config() const noexcept { return config_; }
	std::size_t inflight() const noexcept { return inflight_.size(); }
	std::size_t extent_count() const noexcept { return map_.extent_count(); }
	std::uint64_t pending_bytes() const noexcept { return map_.pending_bytes(); }
	bool backing_off() const noexcept { return backoff_.active(); }
	const Backoff& backoff() const noexcept { return backoff_; }

private:
	struct Candidate {
		std::uint32_t volume = 0;
		std::vector<std::uint64_t> offsets; // pieces, in offset order
		std::uint64_t offset = 0;
		std::uint64_t length = 0;
		std::uint64_t min_seq = 0;
		bool flush_priority = false;
		bool split_first = false; // the one piece is longer than an io: cut it
	};
	struct Inflight {
		std::uint32_t volume = 0;
		std::vector<std::uint64_t> offsets;
		std::uint64_t round = 0; // failure round it was issued in
	};

	Planner(const PlannerConfig& config, TimePoint now);

	bool gate_open(TimePoint now) const noexcept;
	bool flush_wanted(std::uint32_t volume, const Piece& piece) const;
	bool eligible(std::uint32_t volume, const Piece& piece, TimePoint now) const;
	std::optional<Candidate> choose(TimePoint now) const;
	void prune_flushes();

	PlannerConfig config_;
	DirtyMap map_;
	RateLimiter limiter_;
	Watermarks watermarks_;
	Backoff backoff_;
	std::map<std::uint32_t, std::uint64_t> flushes_; // volume -> highest seq wanted
	std::map<IoId, Inflight> inflight_;
	IoId next_io_id_ = 1;
	std::uint64_t round_ = 0; // bumped by each failure that starts a backoff round
};

} // namespace hpsd::writeback
