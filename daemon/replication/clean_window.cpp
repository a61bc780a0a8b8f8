// SPDX-License-Identifier: GPL-2.0-only
#include "replication/clean_window.hpp"

#include <algorithm>

namespace hpsd::replication {

CleanWindow::CleanWindow(std::uint64_t first_seq, std::size_t capacity)
	: floor_(first_seq > 0 ? first_seq - 1 : 0), capacity_(std::max<std::size_t>(capacity, 1))
{
}

void CleanWindow::record(std::uint64_t seq, hps::ByteRange range)
{
	if (seq <= floor_ || range.end <= range.begin)
		return; // judged as unknown anyway
	auto [it, inserted] = writes_.emplace(seq, range);
	if (!inserted) // one seq, one write: the wider range is the safe one
		it->second = hps::ByteRange{std::min(it->second.begin, range.begin),
				       std::max(it->second.end, range.end)};
	while (writes_.size() > capacity_) {
		floor_ = std::max(floor_, writes_.begin()->first);
		writes_.erase(writes_.begin());
	}
}

void CleanWindow::failed(hps::ByteRange range)
{
	failed_.add(range);
}

CleanWindow::Plan CleanWindow::plan(const std::vector<CleanEntry>& entries,
				    const hps::RangeSet& busy) const
{
	Plan out;
	// Usually every entry of a CLEAN has the same seq: one set for each.
	std::map<std::uint64_t, hps::RangeSet> newer;
	for (const CleanEntry& e : entries) {
		const hps::ByteRange range{e.offset, e.offset + e.length};
		if (e.seq < floor_) {
			out.ignored_bytes += e.length;
			continue;
		}
		auto [it, made] = newer.try_emplace(e.seq);
		hps::RangeSet& keep = it->second;
		if (made) {
			for (auto w = writes_.upper_bound(e.seq); w != writes_.end(); ++w)
				keep.add(w->second);
			for (const hps::ByteRange& r : failed_.ranges())
				keep.add(r);
			for (const hps::ByteRange& r : busy.ranges())
				keep.add(r);
		}
		std::uint64_t marked = 0;
		for (const hps::ByteRange& piece : keep.uncovered(range)) {
			out.ranges.push_back(piece);
			marked += piece.length();
		}
		out.kept_bytes += e.length - marked;
	}
	return out;
}

} // namespace hpsd::replication
