// SPDX-License-Identifier: GPL-2.0-only
#include "replication/apply_order.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

namespace hpsd::replication {
namespace {

std::string n(std::uint64_t v)
{
	return std::to_string(v);
}

} // namespace

ApplyOrder::ApplyOrder(std::uint64_t first_seq, std::size_t window)
	: next_expected_(first_seq), window_(window)
{
	assert(first_seq >= 1 && window >= 1);
}

std::uint64_t ApplyOrder::applied_through() const noexcept
{
	std::uint64_t lowest_unapplied = next_expected_;
	if (!writes_.empty())
		lowest_unapplied = std::min(lowest_unapplied, writes_.begin()->first);
	return lowest_unapplied - 1;
}

std::uint64_t ApplyOrder::limit() const noexcept
{
	const std::uint64_t lowest_unapplied = applied_through() + 1;
	if (lowest_unapplied > std::numeric_limits<std::uint64_t>::max() - window_)
		return std::numeric_limits<std::uint64_t>::max();
	return lowest_unapplied + window_;
}

hps::Result<ApplyOrder::Ready, std::string> ApplyOrder::arrive(std::uint64_t seq,
							       std::uint64_t offset,
							       std::uint64_t length)
{
	if (length == 0)
		return hps::fail("seq " + n(seq) + ": empty write");
	if (offset > std::numeric_limits<std::uint64_t>::max() - length)
		return hps::fail("seq " + n(seq) + ": offset " + n(offset) + " + length " + n(length) +
				 " is past 2^64");
	if (seq < next_expected_ || writes_.contains(seq))
		return hps::fail("seq " + n(seq) + " arrived twice");
	if (seq >= limit())
		return hps::fail("seq " + n(seq) + " is too far ahead: lowest unapplied " +
				 n(applied_through() + 1) + ", window " + n(window_));
	writes_.emplace(seq, Entry{offset, offset + length, 0, false, false});
	Ready ready;
	admit_contiguous(ready);
	return ready;
}

// Writes whose lower seqs have all arrived learn what they wait for.  Every
// lower seq is then in writes_ (arrived, unapplied) or applied, so the
// count of overlapping ones is final: it only goes down from here.
void ApplyOrder::admit_contiguous(Ready& ready)
{
	for (auto it = writes_.find(next_expected_); it != writes_.end() && it->first == next_expected_;
	     it = writes_.find(next_expected_)) {
		Entry& e = it->second;
		for (auto lower = writes_.begin(); lower != it; ++lower)
			if (lower->second.offset < e.end && e.offset < lower->second.end)
				e.blockers++;
		e.eligible = true;
		if (e.blockers == 0) {
			e.issued = true;
			ready.writes.push_back(it->first);
		}
		next_expected_++;
	}
}

hps::Result<ApplyOrder::Ready, std::string> ApplyOrder::applied(std::uint64_t seq)
{
	auto it = writes_.find(seq);
	if (it == writes_.end() || !it->second.issued)
		return hps::fail("seq " + n(seq) + " reported applied but was not handed out");
	const Entry done = it->second;
	it = writes_.erase(it);
	Ready ready;
	for (; it != writes_.end(); ++it) {
		Entry& e = it->second;
		if (!e.eligible || e.issued || !(done.offset < e.end && e.offset < done.end))
			continue;
		if (--e.blockers == 0) {
			e.issued = true;
			ready.writes.push_back(it->first);
		}
	}
	release_flushes(ready);
	return ready;
}

hps::Result<ApplyOrder::Ready, std::string> ApplyOrder::flush(std::uint64_t up_to)
{
	Ready ready;
	if (up_to <= applied_through()) {
		ready.flushes.push_back(up_to);
		return ready;
	}
	if (up_to >= limit())
		return hps::fail("FLUSH up to " + n(up_to) + " is too far ahead: lowest unapplied " +
				 n(applied_through() + 1) + ", window " + n(window_));
	if (flushes_.size() >= window_)
		return hps::fail("FLUSH up to " + n(up_to) + ": " + n(flushes_.size()) +
				 " FLUSHes already waiting");
	flushes_.insert(up_to);
	return ready;
}

void ApplyOrder::release_flushes(Ready& ready)
{
	const std::uint64_t through = applied_through();
	while (!flushes_.empty() && *flushes_.begin() <= through) {
		ready.flushes.push_back(*flushes_.begin());
		flushes_.erase(flushes_.begin());
	}
}

} // namespace hpsd::replication
