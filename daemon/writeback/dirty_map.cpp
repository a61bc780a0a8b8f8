// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/dirty_map.hpp"

#include <algorithm>
#include <cassert>
#include <iterator>
#include <limits>
#include <tuple>

namespace hpsd::writeback {
namespace {

// The part [a, b) of `piece`, with the same data source and covers.
Piece slice(const Piece& piece, std::uint64_t a, std::uint64_t b)
{
	Piece part = piece;
	part.offset = a;
	part.length = static_cast<std::uint32_t>(b - a);
	part.cache_offset = piece.cache_offset + (a - piece.offset);
	return part;
}

std::vector<ExtentId> merged(const std::vector<ExtentId>& a, const std::vector<ExtentId>& b)
{
	std::vector<ExtentId> out;
	out.reserve(a.size() + b.size());
	std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
	return out;
}

// First piece of `pieces` that may overlap [offset, ...): the one before
// lower_bound(offset) if it reaches past offset.
DirtyMap::Pieces::iterator first_overlap(DirtyMap::Pieces& pieces, std::uint64_t offset)
{
	auto it = pieces.lower_bound(offset);
	if (it != pieces.begin()) {
		auto prev = std::prev(it);
		if (prev->second.end() > offset)
			return prev;
	}
	return it;
}

} // namespace

AddOutcome DirtyMap::add(const DirtyExtent& extent, TimePoint now)
{
	if (extent.length_bytes == 0 ||
	    extent.offset_bytes > std::numeric_limits<std::uint64_t>::max() - extent.length_bytes)
		return AddOutcome::invalid;
	Key key{extent.volume_id, extent.offset_bytes, extent.length_bytes, extent.seq};
	if (known_.count(key) != 0)
		return AddOutcome::duplicate;

	const ExtentId id = next_id_++;
	extents_.emplace(id, Record{extent, now, 0});
	known_.emplace(key, id);
	seqs_[extent.volume_id].insert(extent.seq);

	Piece piece;
	piece.offset = extent.offset_bytes;
	piece.length = extent.length_bytes;
	piece.seq = extent.seq;
	piece.cache_offset = extent.cache_offset_bytes;
	piece.covers = {id};
	insert(extent.volume_id, std::move(piece));
	return AddOutcome::added;
}

void DirtyMap::attach(Piece& piece)
{
	piece.min_seq = std::numeric_limits<std::uint64_t>::max();
	piece.first_seen = TimePoint::max();
	for (ExtentId id : piece.covers) {
		Record& record = extents_.at(id);
		++record.pieces;
		piece.min_seq = std::min(piece.min_seq, record.extent.seq);
		piece.first_seen = std::min(piece.first_seen, record.first_seen);
	}
}

void DirtyMap::detach(const Piece& piece)
{
	for (ExtentId id : piece.covers) {
		Record& record = extents_.at(id);
		assert(record.pieces > 0);
		--record.pieces;
	}
}

// Inserts an unattached piece: first against the pieces in flight (newer
// data in flight hides it, older data in flight leaves it pending, blocked),
// then against the pending ones.
void DirtyMap::insert(std::uint32_t volume, Piece piece)
{
	std::vector<Piece> parts;
	std::uint64_t cursor = piece.offset;
	auto in = inflight_.find(volume);
	if (in != inflight_.end()) {
		Pieces& flying = in->second;
		for (auto it = first_overlap(flying, piece.offset);
		     it != flying.end() && it->first < piece.end(); ++it) {
			Piece& q = it->second;
			if (q.seq < piece.seq)
				continue; // older data in flight: ours follows it
			// Newer data in flight hides ours there: the in-flight
			// write brings our extents up to date over that range.
			detach(q);
			q.covers = merged(q.covers, piece.covers);
			attach(q);
			const std::uint64_t a = std::max(q.offset, piece.offset);
			if (a > cursor)
				parts.push_back(slice(piece, cursor, a));
			cursor = std::min(q.end(), piece.end());
		}
	}
	if (cursor < piece.end())
		parts.push_back(slice(piece, cursor, piece.end()));
	for (Piece& part : parts)
		insert_pending(volume, std::move(part));
}

// Resolves an unattached piece against the overlapping pending pieces:
// every elementary range gets the newest data over it and the union of the
// covers of everything over it.
void DirtyMap::insert_pending(std::uint32_t volume, Piece piece)
{
	Pieces& pieces = pending_[volume];
	std::vector<Piece> olds;
	for (auto it = first_overlap(pieces, piece.offset);
	     it != pieces.end() && it->first < piece.end();) {
		detach(it->second);
		pending_bytes_ -= it->second.length;
		olds.push_back(std::move(it->second));
		it = pieces.erase(it);
	}

	std::vector<std::uint64_t> cuts{piece.offset, piece.end()};
	for (const Piece& old : olds) {
		cuts.push_back(old.offset);
		cuts.push_back(old.end());
	}
	std::sort(cuts.begin(), cuts.end());
	cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

	std::vector<Piece> out;
	const Piece* last_source = nullptr;
	std::size_t next_old = 0;
	for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
		const std::uint64_t a = cuts[i];
		const std::uint64_t b = cuts[i + 1];
		while (next_old < olds.size() && olds[next_old].end() <= a)
			++next_old;
		const Piece* old = next_old < olds.size() && olds[next_old].offset <= a
					   ? &olds[next_old]
					   : nullptr;
		const bool mine = piece.offset <= a && b <= piece.end();
		if (!old && !mine)
			continue; // cannot happen: every gap between olds is inside piece
		const Piece* source = !old ? &piece : !mine ? old : old->seq > piece.seq ? old : &piece;
		std::vector<ExtentId> covers =
			old && mine ? merged(old->covers, piece.covers) : source->covers;
		if (!out.empty() && last_source == source && out.back().end() == a &&
		    out.back().covers == covers) {
			out.back().length += static_cast<std::uint32_t>(b - a);
			continue;
		}
		Piece part = slice(*source, a, b);
		part.covers = std::move(covers);
		out.push_back(std::move(part));
		last_source = source;
	}
	for (Piece& part : out) {
		attach(part);
		pending_bytes_ += part.length;
		const std::uint64_t offset = part.offset;
		pieces.emplace(offset, std::move(part));
	}
}

bool DirtyMap::blocked(std::uint32_t volume, std::uint64_t offset, std::uint64_t length) const
{
	auto in = inflight_.find(volume);
	if (in == inflight_.end())
		return false;
	const Pieces& flying = in->second;
	auto it = flying.lower_bound(offset);
	if (it != flying.end() && it->first < offset + length)
		return true;
	return it != flying.begin() && std::prev(it)->second.end() > offset;
}

void DirtyMap::split(std::uint32_t volume, std::uint64_t offset, std::uint64_t at)
{
	Pieces& pieces = pending_.at(volume);
	Piece& whole = pieces.at(offset);
	assert(offset < at && at < whole.end());
	Piece tail = slice(whole, at, whole.end());
	whole.length = static_cast<std::uint32_t>(at - offset);
	attach(tail); // the same covers, now listed by one more piece
	pieces.emplace(at, std::move(tail));
}

std::vector<Piece> DirtyMap::start(std::uint32_t volume, const std::vector<std::uint64_t>& offsets)
{
	Pieces& pieces = pending_.at(volume);
	Pieces& flying = inflight_[volume];
	std::vector<Piece> started;
	for (std::uint64_t offset : offsets) {
		auto node = pieces.extract(offset);
		assert(!node.empty());
		pending_bytes_ -= node.mapped().length;
		started.push_back(node.mapped());
		flying.insert(std::move(node));
	}
	if (pieces.empty())
		pending_.erase(volume);
	return started;
}

void DirtyMap::forget(ExtentId id)
{
	auto it = extents_.find(id);
	const DirtyExtent& e = it->second.extent;
	known_.erase(Key{e.volume_id, e.offset_bytes, e.length_bytes, e.seq});
	auto seqs = seqs_.find(e.volume_id);
	seqs->second.erase(seqs->second.find(e.seq));
	if (seqs->second.empty())
		seqs_.erase(seqs);
	extents_.erase(it);
}

std::vector<DirtyExtent> DirtyMap::written(std::uint32_t volume,
					   const std::vector<std::uint64_t>& offsets)
{
	Pieces& flying = inflight_.at(volume);
	std::vector<ExtentId> touched;
	for (std::uint64_t offset : offsets) {
		auto node = flying.extract(offset);
		assert(!node.empty());
		detach(node.mapped());
		touched.insert(touched.end(), node.mapped().covers.begin(),
			       node.mapped().covers.end());
	}
	if (flying.empty())
		inflight_.erase(volume);
	std::sort(touched.begin(), touched.end());
	touched.erase(std::unique(touched.begin(), touched.end()), touched.end());

	std::vector<DirtyExtent> clean;
	for (ExtentId id : touched) {
		const Record& record = extents_.at(id);
		if (record.pieces != 0)
			continue;
		clean.push_back(record.extent);
		forget(id);
	}
	std::sort(clean.begin(), clean.end(), [](const DirtyExtent& a, const DirtyExtent& b) {
		return std::tie(a.volume_id, a.seq, a.offset_bytes) <
		       std::tie(b.volume_id, b.seq, b.offset_bytes);
	});
	return clean;
}

void DirtyMap::failed(std::uint32_t volume, const std::vector<std::uint64_t>& offsets)
{
	std::vector<Piece> back;
	{
		Pieces& flying = inflight_.at(volume);
		for (std::uint64_t offset : offsets) {
			auto node = flying.extract(offset);
			assert(!node.empty());
			detach(node.mapped());
			back.push_back(std::move(node.mapped()));
		}
		if (flying.empty())
			inflight_.erase(volume);
	}
	// Re-resolved against pending pieces, which may hold newer data now.
	for (Piece& piece : back)
		insert(volume, std::move(piece));
}

bool DirtyMap::holds_up_to(std::uint32_t volume, std::uint64_t seq) const
{
	auto it = seqs_.find(volume);
	return it != seqs_.end() && *it->second.begin() <= seq;
}

std::size_t DirtyMap::pending_piece_count() const noexcept
{
	std::size_t count = 0;
	for (const auto& [volume, pieces] : pending_)
		count += pieces.size();
	return count;
}

std::vector<DirtyExtent> DirtyMap::release_all()
{
	assert(inflight_.empty());
	std::vector<DirtyExtent> out;
	out.reserve(extents_.size());
	for (const auto& [id, record] : extents_)
		out.push_back(record.extent);
	std::sort(out.begin(), out.end(), [](const DirtyExtent& a, const DirtyExtent& b) {
		return std::tie(a.volume_id, a.seq, a.offset_bytes) <
		       std::tie(b.volume_id, b.seq, b.offset_bytes);
	});
	extents_.clear();
	known_.clear();
	seqs_.clear();
	pending_.clear();
	inflight_.clear();
	pending_bytes_ = 0;
	return out;
}

} // namespace hpsd::writeback
