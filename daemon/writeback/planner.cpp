// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/planner.hpp"

#include <algorithm>
#include <iterator>
#include <tuple>

namespace hpsd::writeback {

hps::Result<Planner, std::vector<ConfigError>> Planner::create(const PlannerConfig& config,
							       TimePoint now)
{
	if (auto valid = validate(config); !valid)
		return hps::fail(std::move(valid).error());
	return Planner(config, now);
}

Planner::Planner(const PlannerConfig& config, TimePoint now)
	: config_(config),
	  limiter_(config.rate_bytes_per_s, effective_burst_bytes(config), now),
	  watermarks_(config.low_percent, config.high_percent, config.hysteresis_percent),
	  backoff_(config.backoff_initial, config.backoff_max)
{
}

AddStats Planner::add(std::span<const DirtyExtent> extents, TimePoint now)
{
	// Oldest first, so the usual case (newer versions after older ones)
	// resolves each overlap once; the result does not depend on order.
	std::vector<DirtyExtent> sorted(extents.begin(), extents.end());
	std::stable_sort(sorted.begin(), sorted.end(), [](const DirtyExtent& a, const DirtyExtent& b) {
		return std::tie(a.volume_id, a.seq) < std::tie(b.volume_id, b.seq);
	});
	AddStats stats;
	for (const DirtyExtent& extent : sorted) {
		switch (map_.add(extent, now)) {
		case AddOutcome::added:
			++stats.added;
			break;
		case AddOutcome::duplicate:
			++stats.duplicate;
			break;
		case AddOutcome::invalid:
			++stats.invalid;
			break;
		}
	}
	return stats;
}

Pressure Planner::update_dirty(std::uint64_t dirty_bytes, std::uint64_t capacity_bytes) noexcept
{
	return watermarks_.update(dirty_bytes, capacity_bytes);
}

void Planner::request_flush(std::uint32_t volume, std::uint64_t seq)
{
	if (!map_.holds_up_to(volume, seq))
		return; // already clean as far as the planner knows
	auto [it, inserted] = flushes_.try_emplace(volume, seq);
	if (!inserted)
		it->second = std::max(it->second, seq);
}

bool Planner::flush_done(std::uint32_t volume, std::uint64_t seq) const
{
	return !map_.holds_up_to(volume, seq);
}

void Planner::prune_flushes()
{
	std::erase_if(flushes_, [&](const auto& entry) {
		return !map_.holds_up_to(entry.first, entry.second);
	});
}

bool Planner::flush_wanted(std::uint32_t volume, const Piece& piece) const
{
	// A piece's min_seq is the oldest extent it brings up to date, so this
	// also catches newer data that hides an old extent the flush waits for.
	auto it = flushes_.find(volume);
	return it != flushes_.end() && piece.min_seq <= it->second;
}

bool Planner::eligible(std::uint32_t volume, const Piece& piece, TimePoint now) const
{
	if (flush_wanted(volume, piece))
		return true;
	if (watermarks_.state() != Pressure::idle)
		return true;
	return config_.idle_age && piece.first_seen + *config_.idle_age <= now;
}

bool Planner::gate_open(TimePoint now) const noexcept
{
	if (inflight_.size() >= config_.max_inflight)
		return false;
	// Backing off: wait out the delay, then one probe io at a time.
	if (backoff_.active())
		return now >= backoff_.retry_at() && inflight_.empty();
	return true;
}

// Picks the best eligible pending piece (see the order in planner.hpp)
// and grows it into a run of adjacent pieces.  O(pending pieces): the
// engine feeds bounded batches, so this stays small.
std::optional<Planner::Candidate> Planner::choose(TimePoint now) const
{
	using Key = std::tuple<bool, TimePoint, std::uint64_t, std::uint32_t, std::uint64_t>;
	std::optional<Key> best;
	for (const auto& [volume, pieces] : map_.pending()) {
		for (const auto& [offset, piece] : pieces) {
			if (!eligible(volume, piece, now) ||
			    map_.blocked(volume, piece.offset, piece.length))
				continue;
			Key key{!flush_wanted(volume, piece), piece.first_seen, piece.min_seq,
				volume, offset};
			if (!best || key < *best)
				best = key;
		}
	}
	if (!best)
		return std::nullopt;

	Candidate run;
	run.volume = std::get<3>(*best);
	const auto& pieces = map_.pending().at(run.volume);
	auto seed = pieces.find(std::get<4>(*best));
	run.offset = seed->second.offset;
	run.length = seed->second.length;
	run.min_seq = seed->second.min_seq;
	run.flush_priority = flush_wanted(run.volume, seed->second);
	run.offsets.push_back(seed->first);
	const std::uint64_t max = config_.max_io_bytes;
	if (run.length >= max) {
		run.split_first = run.length > max;
		run.length = max;
		return run;
	}

	// Adjacent pieces join whatever their age: one bigger write is
	// cheaper than two, and they are dirty anyway.
	auto joins = [&](const Piece& piece) {
		return run.length + piece.length <= max &&
		       !map_.blocked(run.volume, piece.offset, piece.length);
	};
	auto take = [&](const Piece& piece) {
		run.length += piece.length;
		run.min_seq = std::min(run.min_seq, piece.min_seq);
		run.flush_priority = run.flush_priority || flush_wanted(run.volume, piece);
	};
	for (auto it = std::next(seed); it != pieces.end(); ++it) {
		if (it->first != run.offset + run.length || !joins(it->second))
			break;
		take(it->second);
		run.offsets.push_back(it->first);
	}
	for (auto it = seed; it != pieces.begin();) {
		--it;
		if (it->second.end() != run.offset || !joins(it->second))
			break;
		take(it->second);
		run.offset = it->first;
		run.offsets.insert(run.offsets.begin(), it->first);
	}
	return run;
}

std::optional<WritebackIo> Planner::next_io(TimePoint now)
{
	if (!gate_open(now))
		return std::nullopt;
	auto run = choose(now);
	if (!run)
		return std::nullopt;
	const bool urgent = watermarks_.state() == Pressure::urgent;
	if (!urgent && !limiter_.can_issue(run->length, now))
		return std::nullopt;
	if (!urgent)
		limiter_.consume(run->length, now);
	if (run->split_first)
		map_.split(run->volume, run->offset, run->offset + run->length);

	WritebackIo io;
	io.id = next_io_id_++;
	io.volume_id = run->volume;
	io.offset_bytes = run->offset;
	io.length_bytes = static_cast<std::uint32_t>(run->length);
	io.min_seq = run->min_seq;
	io.flush_priority = run->flush_priority;
	for (const Piece& piece : map_.start(run->volume, run->offsets)) {
		// Pieces split apart only by their covers read as one.
		if (!io.reads.empty()) {
			ReadSegment& last = io.reads.back();
			if (last.seq == piece.seq &&
			    last.cache_offset_bytes + last.length_bytes == piece.cache_offset &&
			    last.volume_offset_bytes + last.length_bytes == piece.offset) {
				last.length_bytes += piece.length;
				continue;
			}
		}
		io.reads.push_back({piece.cache_offset, piece.offset, piece.length, piece.seq});
	}
	inflight_.emplace(io.id, Inflight{run->volume, std::move(run->offsets), round_});
	return io;
}

std::optional<TimePoint> Planner::next_wakeup(TimePoint now)
{
	if (inflight_.size() >= config_.max_inflight)
		return std::nullopt; // a completion comes first
	if (backoff_.active()) {
		if (!inflight_.empty() || map_.pending().empty())
			return std::nullopt;
		if (now < backoff_.retry_at())
			return backoff_.retry_at();
	}
	if (auto run = choose(now)) {
		if (watermarks_.state() == Pressure::urgent)
			return now;
		return limiter_.next_issue_time(run->length, now);
	}
	// Idle with nothing old enough yet: when the oldest unblocked piece
	// comes of age.
	if (watermarks_.state() != Pressure::idle || !config_.idle_age)
		return std::nullopt;
	std::optional<TimePoint> soonest;
	for (const auto& [volume, pieces] : map_.pending())
		for (const auto& [offset, piece] : pieces)
			if (!map_.blocked(volume, piece.offset, piece.length))
				soonest = std::min(soonest.value_or(TimePoint::max()),
						   piece.first_seen + *config_.idle_age);
	if (soonest)
		return std::max(*soonest, now);
	return std::nullopt;
}

hps::Result<std::vector<DirtyExtent>, std::string> Planner::complete(IoId id, bool ok,
								      TimePoint now)
{
	auto it = inflight_.find(id);
	if (it == inflight_.end())
		return hps::fail("io " + std::to_string(id) + " is not in flight");
	Inflight io = std::move(it->second);
	inflight_.erase(it);

	if (ok) {
		backoff_.success();
		auto clean = map_.written(io.volume, io.offsets);
		prune_flushes();
		return clean;
	}
	map_.failed(io.volume, io.offsets);
	if (io.round == round_) {
		++round_;
		backoff_.failure(now);
	}
	return std::vector<DirtyExtent>{};
}

hps::Result<std::vector<DirtyExtent>, std::string> Planner::release_held()
{
	if (!inflight_.empty())
		return hps::fail(std::to_string(inflight_.size()) + " io(s) in flight");
	flushes_.clear();
	return map_.release_all();
}

hps::Result<void, std::vector<ConfigError>> Planner::set_rate(std::uint64_t rate_bytes_per_s,
							     std::uint64_t burst_bytes,
							     TimePoint now)
{
	PlannerConfig changed = config_;
	changed.rate_bytes_per_s = rate_bytes_per_s;
	changed.burst_bytes = burst_bytes;
	if (auto valid = validate(changed); !valid)
		return hps::fail(std::move(valid).error());
	config_ = changed;
	limiter_.reconfigure(changed.rate_bytes_per_s, effective_burst_bytes(changed), now);
	return {};
}

} // namespace hpsd::writeback
