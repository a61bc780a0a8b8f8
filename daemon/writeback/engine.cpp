// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/engine.hpp"

#include "util/errno_text.hpp"

#include <algorithm>
#include <cerrno>
#include <limits>

namespace hpsd::writeback {
namespace {

constexpr std::size_t max_done_batch = 4096; // HPS_WB_MAX
// WB_TAKE scans at most this many sets a call (HPS_WB_SCAN_SETS) and a set
// has at least 8 blocks: how many empty takes in a row cover a whole pool.
constexpr std::uint64_t take_scan_sets = std::uint64_t{1} << 20;
constexpr std::uint64_t min_set_blocks = 8;
constexpr auto rate_window = std::chrono::seconds(5);

std::string pool_name(std::uint32_t id)
{
	return "writeback: pool " + std::to_string(id);
}

} // namespace

hps::Result<std::unique_ptr<Engine>, std::string>
Engine::create(const EngineConfig& config, const Seams& seams, PoolLister pools, ImageResolver resolve,
	       EngineLog log, std::function<void()> wake)
{
	if (auto valid = validate(config.planner); !valid) {
		std::string text;
		for (const auto& error : valid.error())
			text += (text.empty() ? "" : "; ") + to_string(error);
		return hps::fail("writeback: " + text);
	}
	if (config.take_batch < 1 || config.take_batch > max_done_batch)
		return hps::fail("writeback: take_batch " + std::to_string(config.take_batch) +
				 " is out of range 1.." + std::to_string(max_done_batch));
	return std::make_unique<Engine>(Key{}, config, seams, std::move(pools), std::move(resolve),
					std::move(log), std::move(wake));
}

Engine::Engine(Key, const EngineConfig& config, const Seams& seams, PoolLister pools,
	       ImageResolver resolve, EngineLog log, std::function<void()> wake)
	: config_(config), seams_(seams), list_pools_(std::move(pools)),
	  resolve_(std::move(resolve)), log_(std::move(log)), wake_(std::move(wake))
{
	status_view_.rate_limit_bytes_per_s = config_.planner.rate_bytes_per_s;
}

// The owner (EngineThread) stops the engine before destroying it; nothing
// in flight may call back into a dead engine.
Engine::~Engine() = default;

// --- any thread ----------------------------------------------------------------

void Engine::post(Event event)
{
	{
		std::lock_guard lock(mutex_);
		inbox_.push_back(event);
	}
	if (wake_)
		wake_();
}

DrainId Engine::drain(std::optional<std::uint32_t> volume)
{
	DrainId id = 0;
	{
		std::lock_guard lock(mutex_);
		id = next_drain_++;
		drain_requests_.emplace_back(id, volume);
		DrainProgress view;
		view.id = id;
		view.volume = volume;
		drain_view_[id] = view;
	}
	if (wake_)
		wake_();
	return id;
}

std::optional<DrainProgress> Engine::drain_progress(DrainId id) const
{
	std::lock_guard lock(mutex_);
	auto it = drain_view_.find(id);
	if (it == drain_view_.end())
		return std::nullopt;
	return it->second;
}

void Engine::cancel_drain(DrainId id)
{
	{
		std::lock_guard lock(mutex_);
		drain_cancels_.insert(id);
		drain_view_.erase(id);
	}
	if (wake_)
		wake_();
}

EngineStatus Engine::status() const
{
	std::lock_guard lock(mutex_);
	return status_view_;
}

// --- the engine thread -----------------------------------------------------------

void Engine::begin_stop()
{
	stopping_ = true;
}

bool Engine::stopped() const noexcept
{
	if (!stopping_ || !ios_.empty() || !flushes_.empty())
		return false;
	return std::all_of(pools_.begin(), pools_.end(),
			   [](const auto& entry) { return entry.second.held.empty(); });
}

std::optional<TimePoint> Engine::step(TimePoint now)
{
	std::vector<Event> events;
	std::vector<std::pair<DrainId, std::optional<std::uint32_t>>> requests;
	std::set<DrainId> cancels;
	{
		std::lock_guard lock(mutex_);
		events.swap(inbox_);
		requests.swap(drain_requests_);
		cancels.swap(drain_cancels_);
	}
	for (const Event& event : events)
		handle(event, now);
	for (auto& [id, volume] : requests)
		drains_.emplace(id, Drain{volume, 0, {}, false});
	if (!requests.empty())
		for (auto& [id, pool] : pools_) {
			// What is held already goes first too, and the kernel is
			// asked for more at once.
			for (const auto& [seq, block] : pool.held)
				pool.planner.request_flush(block.volume_id,
							   std::numeric_limits<std::uint64_t>::max());
			pool.next_take = now;
		}
	for (DrainId id : cancels)
		drains_.erase(id);

	if (!stopping_ && now >= next_pools_)
		refresh_pools(now);

	std::optional<TimePoint> next;
	auto sooner = [&](std::optional<TimePoint> t) {
		if (t && (!next || *t < *next))
			next = std::max(*t, now);
	};
	if (!stopping_)
		sooner(next_pools_);
	for (auto it = pools_.begin(); it != pools_.end();) {
		Pool& pool = it->second;
		release_backoff(pool);
		if (!stopping_ && pool.listed)
			take(pool, now);
		if (!stopping_)
			issue(pool, now);
		maybe_flush(pool, now);
		if (stopping_ && pool.planner.inflight() == 0)
			release_all(pool, -ECANCELED);
		if (!pool.listed && pool_quiet(pool)) {
			log_(LogLevel::info, pool_name(pool.id) + ": gone; no longer written back");
			it = pools_.erase(it);
			continue;
		}
		sooner(wakeup(pool, now));
		++it;
	}
	publish(now);
	return next;
}

void Engine::handle(const Event& event, TimePoint now)
{
	switch (event.kind) {
	case Event::Kind::read: {
		auto it = ios_.find(event.token);
		if (it == ios_.end())
			return;
		Io& io = it->second;
		if (event.result < 0 && io.error == 0)
			io.error = event.result;
		if (--io.reads_left > 0)
			return;
		if (io.error < 0) {
			Pool& pool = pools_.at(io.pool);
			note_error(pool, io.error, "reading the cache device");
			finish_io(event.token, now);
			return;
		}
		io.writing = true;
		const std::uint64_t token = event.token;
		seams_.writer.write(io.image, io.io.offset_bytes,
				    std::span<const std::byte>(io.buffer.span()),
				    [this, token](int r) { post({Event::Kind::write, token, r}); });
		return;
	}
	case Event::Kind::write: {
		auto it = ios_.find(event.token);
		if (it == ios_.end())
			return;
		if (event.result < 0) {
			it->second.error = event.result;
			note_error(pools_.at(it->second.pool), event.result,
				   "writing image " + it->second.image);
		}
		finish_io(event.token, now);
		return;
	}
	case Event::Kind::flush:
		finish_flush(event.token, event.result);
		return;
	}
}

void Engine::refresh_pools(TimePoint now)
{
	next_pools_ = now + config_.pools_interval;
	std::set<std::uint32_t> listed;
	for (std::uint32_t id : list_pools_())
		listed.insert(id);
	for (auto& [id, pool] : pools_)
		pool.listed = listed.count(id) != 0;
	for (std::uint32_t id : listed) {
		if (pools_.count(id))
			continue;
		auto planner = Planner::create(config_.planner, now);
		if (!planner) // validated in create(): cannot happen
			continue;
		Pool pool(id, std::move(planner).value());
		pool.stats.pool_id = id;
		pool.next_take = now;
		pools_.emplace(id, std::move(pool));
		log_(LogLevel::info, pool_name(id) + ": writing back");
	}
	apply_rate(now);
}

// The node's rate is shared evenly by its pools.
void Engine::apply_rate(TimePoint now)
{
	const std::size_t shares = std::max<std::size_t>(pools_.size(), 1);
	if (shares == rate_shares_)
		return;
	rate_shares_ = shares;
	const std::uint64_t rate = config_.planner.rate_bytes_per_s;
	for (auto& [id, pool] : pools_) {
		const std::uint64_t share = rate == 0 ? 0 : std::max<std::uint64_t>(rate / shares, 1);
		(void)pool.planner.set_rate(share, config_.planner.burst_bytes, now);
	}
}

std::optional<std::string> Engine::image_of(std::uint32_t volume, TimePoint now)
{
	if (auto it = images_.find(volume); it != images_.end())
		return it->second;
	if (auto it = unknown_until_.find(volume); it != unknown_until_.end() && now < it->second)
		return std::nullopt;
	auto image = resolve_ ? resolve_(volume) : std::nullopt;
	if (!image) {
		if (!unknown_until_.count(volume))
			log_(LogLevel::error, "writeback: volume id " + std::to_string(volume) +
						      " is not a known volume: its dirty blocks stay "
						      "dirty (ENXIO)");
		unknown_until_[volume] = now + config_.unknown_volume_retry;
		return std::nullopt;
	}
	unknown_until_.erase(volume);
	images_.emplace(volume, *image);
	return image;
}

// A new dirty epoch in the kernel this often: how finely it can tell a
// block's age, which idle writeback waits out (idle_age).
std::chrono::milliseconds Engine::epoch_roll() const
{
	if (!config_.planner.idle_age)
		return std::chrono::milliseconds{0};
	return std::max<std::chrono::milliseconds>(*config_.planner.idle_age / 4,
						   std::chrono::seconds(1));
}

void Engine::take(Pool& pool, TimePoint now)
{
	if (now < pool.next_take)
		return;
	// Holding a full batch, or waiting out a backoff: ask only for the
	// counts (the watermarks), which also renews the kernel's write
	// throttle; it lapses unless renewed.
	const bool waiting = pool.planner.backing_off() && now < pool.planner.backoff().retry_at();
	TakeRequest request;
	request.max = pool.held.size() >= config_.take_batch || waiting ? 0 : config_.take_batch;
	// The pressure, which says which blocks to ask for, needs the counts.
	const bool first = !pool.counted;
	if (first)
		request.max = 0;
	request.roll = epoch_roll();
	request.throttle_us = pool.planner.throttle_us();
	// Idle, only blocks old enough to go: a young one taken now would sit
	// here (and keep a batch's place) until it comes of age.
	if (pool.planner.pressure() == Pressure::idle && !draining() && config_.planner.idle_age)
		request.min_age = *config_.planner.idle_age;
	auto taken = seams_.kernel.take(pool.id, request);
	if (!taken) {
		const int error = taken.error();
		pool.next_take = now + config_.poll_interval;
		if (error == -ENOENT) {
			// Not (or no longer) a pool in the kernel: nothing to drain.
			update_drains(pool, true);
			return;
		}
		if (!pool.take_error_logged)
			log_(LogLevel::warn, pool_name(pool.id) + ": WB_TAKE: " +
						     hps::errno_text(-error) + "; retrying");
		pool.take_error_logged = true;
		pool.stats.last_error = error;
		return;
	}
	pool.take_error_logged = false;
	pool.counted = true;
	TakeResult& result = *taken;
	pool.cache = result.cache;
	pool.stats.dirty_blocks = result.dirty;
	pool.stats.total_blocks = result.total;
	// The planner compares ratios only, so blocks do as well as bytes.
	pool.planner.update_dirty(result.dirty, result.total);
	pool.stats.throttle_us = pool.planner.throttle_us();

	std::vector<DirtyExtent> extents;
	std::vector<BlockResult> unknown;
	std::set<std::uint32_t> volumes;
	extents.reserve(result.blocks.size());
	for (const TakenBlock& block : result.blocks) {
		if (!image_of(block.volume_id, now)) {
			unknown.push_back({block.block, -ENXIO});
			continue;
		}
		const std::uint64_t seq = next_seq_++;
		pool.held.emplace(seq, block);
		extents.push_back({block.volume_id, block.offset, block.len, seq, block.cache_offset});
		volumes.insert(block.volume_id);
	}
	// The replication seq now covers every write these blocks took (the
	// kernel's WB_TAKE waited for them): the stamp of their CLEAN.
	if (seams_.cleaner && !extents.empty()) {
		std::map<std::uint32_t, std::optional<CleanStamp>> stamp_of;
		for (std::uint32_t volume : volumes)
			stamp_of[volume] = seams_.cleaner->capture(volume);
		for (const DirtyExtent& extent : extents)
			if (const auto& stamp = stamp_of[extent.volume_id])
				pool.stamps.emplace(extent.seq, *stamp);
	}
	if (!unknown.empty())
		report(pool, std::move(unknown));
	// Idle writeback waits until a block is idle_age old: it has been
	// dirty for result.age already.
	(void)pool.planner.add(extents, now - result.age);
	if (draining())
		for (std::uint32_t volume : volumes)
			pool.planner.request_flush(volume, std::numeric_limits<std::uint64_t>::max());

	if (request.max != 0) {
		pool.empty_takes = result.blocks.empty() ? pool.empty_takes + 1 : 0;
		const std::uint64_t needed = std::max<std::uint64_t>(
			1, (result.total / min_set_blocks + take_scan_sets - 1) / take_scan_sets);
		update_drains(pool, pool.empty_takes >= needed);
	} else {
		update_drains(pool, false);
	}
	const bool full = request.max != 0 && result.blocks.size() >= request.max;
	if (full)
		pool.next_take = now;
	else
		pool.next_take = now + (draining() ? config_.drain_poll : config_.poll_interval);
	if (waiting)
		pool.next_take = std::min(pool.next_take, pool.planner.backoff().retry_at());
	if (first) {
		pool.next_take = now;
		take(pool, now);
	}
}

void Engine::issue(Pool& pool, TimePoint now)
{
	while (auto io = pool.planner.next_io(now))
		start_io(pool, std::move(*io), now);
}

void Engine::start_io(Pool& pool, WritebackIo io, TimePoint now)
{
	const std::uint64_t token = next_token_++;
	Io state;
	state.pool = pool.id;
	state.image = images_.at(io.volume_id); // resolved when taken
	state.buffer = AlignedBuffer(io.length_bytes);
	state.reads_left = io.reads.size();
	state.io = std::move(io);
	if (!state.buffer.valid() || !pool.cache) {
		state.error = -ENOMEM;
		ios_.emplace(token, std::move(state));
		note_error(pool, -ENOMEM, "allocating an io buffer");
		finish_io(token, now);
		return;
	}
	auto [it, inserted] = ios_.emplace(token, std::move(state));
	Io& live = it->second;
	std::vector<CacheRead> reads;
	reads.reserve(live.io.reads.size());
	for (const ReadSegment& read : live.io.reads)
		reads.push_back({read.cache_offset_bytes,
				 live.buffer.span().subspan(read.volume_offset_bytes - live.io.offset_bytes,
							    read.length_bytes),
				 [this, token](int r) { post({Event::Kind::read, token, r}); }});
	seams_.reader.read_many(*pool.cache, std::move(reads));
}

void Engine::finish_io(std::uint64_t token, TimePoint now)
{
	auto node = ios_.extract(token);
	if (node.empty())
		return;
	Io& io = node.mapped();
	Pool& pool = pools_.at(io.pool);
	const bool ok = io.error == 0;
	auto clean = pool.planner.complete(io.io.id, ok, now);
	if (!clean) {
		log_(LogLevel::error, pool_name(pool.id) + ": " + clean.error());
		return;
	}
	if (!ok) {
		pool.released_round = false;
		return;
	}
	if (pool.logged_delay.count() != 0 && !pool.planner.backing_off()) {
		log_(LogLevel::info, pool_name(pool.id) + ": the backend takes writes again");
		pool.logged_delay = {};
	}
	pool.stats.bytes_written += io.io.length_bytes;
	bytes_written_ += io.io.length_bytes;
	for (const DirtyExtent& extent : *clean) {
		auto& waiting = pool.unflushed[extent.volume_id];
		if (waiting.empty())
			pool.unflushed_since[extent.volume_id] = now;
		waiting.push_back(extent.seq);
	}
}

void Engine::maybe_flush(Pool& pool, TimePoint now)
{
	const bool quiet = pool.planner.inflight() == 0;
	for (auto it = pool.unflushed.begin(); it != pool.unflushed.end();) {
		const std::uint32_t volume = it->first;
		if (it->second.empty() || pool.flushing.count(volume)) {
			++it;
			continue;
		}
		const bool due = quiet || stopping_ || it->second.size() >= config_.flush_batch_blocks ||
				 now >= pool.unflushed_since[volume] + config_.flush_delay;
		++it;
		if (due)
			start_flush(pool, volume);
	}
}

void Engine::start_flush(Pool& pool, std::uint32_t volume)
{
	const std::uint64_t token = next_token_++;
	Flush flush{pool.id, volume, std::move(pool.unflushed[volume])};
	pool.unflushed.erase(volume);
	pool.unflushed_since.erase(volume);
	pool.flushing.insert(volume);
	flushes_.emplace(token, std::move(flush));
	seams_.writer.flush(images_.at(volume),
			    [this, token](int r) { post({Event::Kind::flush, token, r}); });
}

void Engine::finish_flush(std::uint64_t token, int result)
{
	auto node = flushes_.extract(token);
	if (node.empty())
		return;
	Flush& flush = node.mapped();
	Pool& pool = pools_.at(flush.pool);
	pool.flushing.erase(flush.volume);
	if (result < 0)
		note_error(pool, result, "flushing image " + images_.at(flush.volume));
	// Room in the batch again: take the next one now rather than at the
	// next poll, so a backlog drains without a pause between batches.
	if (pool.held.size() >= config_.take_batch &&
	    pool.held.size() - flush.seqs.size() < config_.take_batch)
		pool.next_take = TimePoint{};
	std::vector<BlockResult> results;
	std::vector<TakenBlock> blocks;
	std::vector<std::optional<CleanStamp>> stamps;
	results.reserve(flush.seqs.size());
	for (std::uint64_t seq : flush.seqs) {
		auto it = pool.held.find(seq);
		if (it == pool.held.end())
			continue;
		results.push_back({it->second.block, result < 0 ? result : 0});
		blocks.push_back(it->second);
		auto stamp = pool.stamps.find(seq);
		stamps.push_back(stamp == pool.stamps.end() ? std::nullopt
							    : std::optional<CleanStamp>(stamp->second));
		if (stamp != pool.stamps.end())
			pool.stamps.erase(stamp);
		if (result == 0)
			for (auto& [id, drain] : drains_)
				if (in_scope(drain, it->second.volume_id))
					++drain.cleaned;
		pool.held.erase(it);
	}
	report(pool, std::move(results), blocks, stamps);
}

// Backing off with nothing in flight: hand the held blocks back to the
// kernel, still dirty, so an outage does not keep them under writeback
// (which would, e.g., keep `release_volume` busy).  Once per round.
void Engine::release_backoff(Pool& pool)
{
	if (!pool.planner.backing_off() || pool.released_round || pool.planner.inflight() != 0)
		return;
	pool.released_round = true;
	auto released = pool.planner.release_held();
	if (!released || released->empty())
		return;
	const int error = pool.stats.last_error < 0 ? pool.stats.last_error : -EIO;
	std::vector<BlockResult> results = unhold(pool, *released, error);
	// Said when the delay changes: at the cap, an outage would log a line
	// every backoff_max otherwise.
	const auto delay = pool.planner.backoff().delay();
	log_(delay != pool.logged_delay ? LogLevel::warn : LogLevel::debug,
	     pool_name(pool.id) + ": backing off for " + std::to_string(delay.count()) + " ms; " +
		     std::to_string(results.size()) + " block(s) stay dirty until then");
	pool.logged_delay = delay;
	report(pool, std::move(results));
}

// Stopping: everything not written and flushed goes back, still dirty.
void Engine::release_all(Pool& pool, int error)
{
	auto released = pool.planner.release_held();
	if (!released)
		return;
	report(pool, unhold(pool, *released, error));
}

// The held blocks of `extents`, no longer held, as results with `error`.
std::vector<BlockResult> Engine::unhold(Pool& pool, const std::vector<DirtyExtent>& extents,
					int error)
{
	std::vector<BlockResult> results;
	results.reserve(extents.size());
	for (const DirtyExtent& extent : extents) {
		auto it = pool.held.find(extent.seq);
		if (it == pool.held.end())
			continue;
		results.push_back({it->second.block, error});
		pool.held.erase(it);
		pool.stamps.erase(extent.seq);
	}
	return results;
}

void Engine::report(Pool& pool, std::vector<BlockResult> results,
		    const std::vector<TakenBlock>& blocks,
		    const std::vector<std::optional<CleanStamp>>& stamps)
{
	// Per volume and stamp: the blocks the kernel cleaned, for CLEAN.
	std::map<std::pair<std::uint32_t, std::pair<std::uint64_t, std::uint64_t>>,
		 std::vector<std::pair<std::uint64_t, std::uint64_t>>>
		cleaned;
	const bool stamped = seams_.cleaner && blocks.size() == results.size() &&
			     stamps.size() == results.size();
	for (std::size_t first = 0; first < results.size(); first += max_done_batch) {
		const std::size_t n = std::min(max_done_batch, results.size() - first);
		auto done = seams_.kernel.done(pool.id,
					       std::span<const BlockResult>(results).subspan(first, n));
		if (!done) {
			// The kernel forgets blocks taken through a channel file
			// that is closed; nothing else can make this fail.
			note_error(pool, done.error(), "WB_DONE");
			continue;
		}
		if (stamped && done->cleaned_each.size() == n)
			for (std::size_t i = 0; i < n; i++) {
				const auto& stamp = stamps[first + i];
				if (!done->cleaned_each[i] || !stamp)
					continue;
				const TakenBlock& b = blocks[first + i];
				cleaned[{b.volume_id, {stamp->token, stamp->seq}}].emplace_back(b.offset,
												b.len);
			}
		pool.stats.blocks_cleaned += done->cleaned;
		// Until the next take tells the kernel's count again.
		pool.stats.dirty_blocks -= std::min<std::uint64_t>(pool.stats.dirty_blocks, done->cleaned);
		pool.stats.blocks_kept += done->kept;
	}
	// The pressure (and the throttle the next take asks for) follows.
	pool.planner.update_dirty(pool.stats.dirty_blocks, pool.stats.total_blocks);
	pool.stats.throttle_us = pool.planner.throttle_us();

	for (auto& [key, ranges] : cleaned) {
		std::sort(ranges.begin(), ranges.end());
		std::vector<std::pair<std::uint64_t, std::uint64_t>> joined;
		for (const auto& [offset, length] : ranges) {
			if (!joined.empty() && joined.back().first + joined.back().second == offset)
				joined.back().second += length;
			else
				joined.emplace_back(offset, length);
		}
		seams_.cleaner->cleaned(key.first, CleanStamp{key.second.first, key.second.second},
					std::move(joined));
	}
}

void Engine::note_error(Pool& pool, int error, std::string_view what)
{
	++pool.stats.errors;
	const bool first = pool.stats.last_error != error;
	pool.stats.last_error = error;
	// Once per distinct error: an outage fails every io.
	if (first)
		log_(LogLevel::warn, pool_name(pool.id) + ": " + std::string(what) + ": " +
					     hps::errno_text(-error));
}

bool Engine::in_scope(const Drain& drain, std::uint32_t volume) const noexcept
{
	return !drain.volume || *drain.volume == volume;
}

// After a take of `pool`: a drain's pool is clean when the kernel says
// nothing is dirty, or (one volume) when the take found nothing more and
// nothing of the volume is held.
void Engine::update_drains(Pool& pool, bool exhaustive)
{
	for (auto& [id, drain] : drains_) {
		bool held = false;
		for (const auto& [seq, block] : pool.held)
			if (in_scope(drain, block.volume_id)) {
				held = true;
				break;
			}
		const bool clean = !held && (pool.stats.dirty_blocks == 0 || (drain.volume && exhaustive));
		if (clean)
			drain.clean_pools.insert(pool.id);
		else
			drain.clean_pools.erase(pool.id);
	}
}

bool Engine::pool_quiet(const Pool& pool) const
{
	if (!pool.held.empty() || pool.planner.inflight() != 0)
		return false;
	return std::none_of(flushes_.begin(), flushes_.end(),
			    [&](const auto& entry) { return entry.second.pool == pool.id; });
}

std::optional<TimePoint> Engine::wakeup(Pool& pool, TimePoint now)
{
	std::optional<TimePoint> next;
	auto sooner = [&](std::optional<TimePoint> t) {
		if (t && (!next || *t < *next))
			next = t;
	};
	if (!stopping_) {
		sooner(pool.planner.next_wakeup(now));
		if (pool.listed)
			sooner(pool.next_take);
	}
	for (const auto& [volume, since] : pool.unflushed_since)
		if (!pool.flushing.count(volume))
			sooner(since + config_.flush_delay);
	return next;
}

void Engine::publish(TimePoint now)
{
	if (samples_.empty() || now - samples_.back().at >= std::chrono::seconds(1))
		samples_.push_back({now, bytes_written_});
	while (samples_.size() > 2 && now - samples_[1].at >= rate_window)
		samples_.pop_front();

	EngineStatus status;
	status.bytes_written = bytes_written_;
	status.rate_limit_bytes_per_s = config_.planner.rate_bytes_per_s;
	const auto span = std::chrono::duration_cast<std::chrono::milliseconds>(
		now - samples_.front().at);
	if (span.count() > 0)
		status.bytes_per_s = (bytes_written_ - samples_.front().bytes) * 1000 /
				     static_cast<std::uint64_t>(span.count());
	std::map<std::uint32_t, std::size_t> ios_by_pool;
	for (const auto& [token, io] : ios_)
		++ios_by_pool[io.pool];
	for (auto& [id, pool] : pools_) {
		PoolWritebackStatus s = pool.stats;
		s.held_blocks = pool.held.size();
		s.ios_in_flight = ios_by_pool[id];
		s.pressure = pool.planner.pressure();
		s.backing_off = pool.planner.backing_off();
		if (s.backing_off && pool.planner.backoff().retry_at() > now)
			s.retry_in = std::chrono::duration_cast<std::chrono::milliseconds>(
				pool.planner.backoff().retry_at() - now);
		status.pools.push_back(s);
	}
	status.drains_active = drains_.size();

	std::map<DrainId, DrainProgress> views;
	for (auto& [id, drain] : drains_) {
		DrainProgress view;
		view.id = id;
		view.volume = drain.volume;
		view.blocks_cleaned = drain.cleaned;
		bool all_clean = true;
		for (const auto& [pool_id, pool] : pools_) {
			if (!pool.listed)
				continue;
			for (const auto& [seq, block] : pool.held)
				if (in_scope(drain, block.volume_id))
					++view.blocks_held;
			view.dirty_blocks += pool.stats.dirty_blocks;
			view.backing_off = view.backing_off || pool.planner.backing_off();
			if (pool.stats.last_error < 0)
				view.last_error = pool.stats.last_error;
			all_clean = all_clean && drain.clean_pools.count(pool_id) != 0;
		}
		// Once done, a drain stays done (new writes are another story).
		drain.done = drain.done || all_clean;
		view.done = drain.done;
		views.emplace(id, view);
	}

	std::lock_guard lock(mutex_);
	status_view_ = std::move(status);
	for (auto& [id, view] : views)
		if (auto it = drain_view_.find(id); it != drain_view_.end())
			it->second = view;
	// A finished drain leaves the engine's working set; its view stays
	// until cancel_drain().
	std::erase_if(drains_, [](const auto& entry) { return entry.second.done; });
}

} // namespace hpsd::writeback
