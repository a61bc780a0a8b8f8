// SPDX-License-Identifier: GPL-2.0-only
#include "replication/ack_tracker.hpp"

#include <algorithm>
#include <cassert>

namespace hpsd::replication {
namespace {

std::string n(std::uint64_t v)
{
	return std::to_string(v);
}

} // namespace

AckTracker::AckTracker(std::uint64_t first_seq, std::size_t max_outstanding)
	: next_seq_(first_seq), max_outstanding_(max_outstanding)
{
	assert(first_seq >= 1 && max_outstanding >= 1);
}

hps::Result<std::uint64_t, std::string> AckTracker::send(std::uint64_t cookie,
							  Clock::time_point now)
{
	if (full())
		return hps::fail(n(writes_.size()) + " writes already wait for the peer");
	const std::uint64_t seq = next_seq_++;
	writes_.emplace(seq, Waiting{cookie, now});
	return seq;
}

hps::Result<AckTracker::Completion, std::string> AckTracker::ack(std::uint64_t seq,
								  std::uint32_t status)
{
	auto it = writes_.find(seq);
	if (it == writes_.end())
		return hps::fail("WRITE_ACK for seq " + n(seq) + ", which " +
				 (seq >= next_seq_ ? "was never sent" : "is not outstanding"));
	Completion done{it->second.cookie, seq, status};
	writes_.erase(it);
	return done;
}

hps::Result<std::uint64_t, std::string> AckTracker::flush(std::uint64_t cookie,
							   Clock::time_point now)
{
	if (flushes_.size() >= max_outstanding_)
		return hps::fail(n(flushes_.size()) + " flushes already wait for the peer");
	const std::uint64_t up_to = next_seq_ - 1;
	flushes_.push_back(WaitingFlush{cookie, up_to, now});
	return up_to;
}

hps::Result<std::vector<AckTracker::Completion>, std::string>
AckTracker::flush_ack(std::uint64_t up_to, std::uint32_t status)
{
	if (up_to >= next_seq_)
		return hps::fail("FLUSH_ACK up to " + n(up_to) + ", but the last seq sent is " +
				 n(next_seq_ - 1));
	if (flushes_.empty() || flushes_.front().up_to > up_to)
		return hps::fail("FLUSH_ACK up to " + n(up_to) + " answers no FLUSH");
	std::vector<Completion> done;
	while (!flushes_.empty() && flushes_.front().up_to <= up_to) {
		done.push_back(Completion{flushes_.front().cookie, flushes_.front().up_to, status});
		flushes_.pop_front();
	}
	return done;
}

AckTracker::Abandoned AckTracker::abandon()
{
	Abandoned left;
	for (const auto& [seq, w] : writes_)
		left.writes.push_back(Completion{w.cookie, seq, 0});
	for (const WaitingFlush& f : flushes_)
		left.flushes.push_back(Completion{f.cookie, f.up_to, 0});
	writes_.clear();
	flushes_.clear();
	return left;
}

std::optional<AckTracker::Clock::time_point> AckTracker::oldest_sent() const noexcept
{
	std::optional<Clock::time_point> oldest;
	// Writes get seqs in the order they are sent: the lowest waited longest.
	if (!writes_.empty())
		oldest = writes_.begin()->second.sent;
	if (!flushes_.empty())
		oldest = oldest ? std::min(*oldest, flushes_.front().sent) : flushes_.front().sent;
	return oldest;
}

} // namespace hpsd::replication
