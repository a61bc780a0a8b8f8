// SPDX-License-Identifier: GPL-2.0-only
#include "replication/primary_volume.hpp"

#include "replication/wire.hpp"
#include "util/overload.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>

namespace hpsd::replication {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Resync reads in flight, and the most one reads: enough to keep a link
// busy without holding much memory (4 x 1 MiB).
constexpr std::size_t max_resync_in_flight = 4;
constexpr std::uint64_t max_resync_chunk = std::uint64_t{1} << 20;

// The volume's size and block come from the registry (whole blocks, a
// power-of-two block), which ChangeLog::create accepts; a refusal would be
// a bug, and a log of 4 KiB blocks is then still correct.
ChangeLog change_log_for(const PrimaryVolumeInfo& info)
{
	auto log = ChangeLog::create(info.size_bytes, info.block_bytes);
	if (log)
		return std::move(log).value();
	return std::move(ChangeLog::create(info.size_bytes, 4096)).value();
}


} // namespace

std::string_view to_string(ReplicaState state) noexcept
{
	switch (state) {
	case ReplicaState::degraded:
		return "degraded";
	case ReplicaState::attaching:
		return "attaching";
	case ReplicaState::resyncing:
		return "resyncing";
	case ReplicaState::in_sync:
		return "in_sync";
	}
	return "unknown";
}

PrimaryVolume::PrimaryVolume(boost::asio::io_context& io, PrimaryVolumeInfo info,
			     PrimaryVolumeHooks hooks, unsigned recovery_mbps, PeerCopy peer_copy)
	: io_(io), info_(std::move(info)), hooks_(std::move(hooks)),
	  changes_(change_log_for(info_)),
	  limiter_(recovery_mbps),
	  resync_timer_(io), outdated_timer_(io), degraded_since_(std::chrono::system_clock::now()),
	  alive_(std::make_shared<bool>(true))
{
	if (peer_copy == PeerCopy::unknown)
		changes_.mark_all();
	ask_peer_kept_ = peer_copy == PeerCopy::kept_if_peer_agrees;
	stats_.peer = info_.peer;
}

PrimaryVolume::~PrimaryVolume()
{
	*alive_ = false;
	resync_timer_.cancel();
	outdated_timer_.cancel();
	if (link_)
		link_lost("volume removed");
}

void PrimaryVolume::log(LogLevel level, const std::string& line) const
{
	if (hooks_.log)
		hooks_.log(level, "replication: volume " + info_.name + ": " + line);
}

std::uint64_t PrimaryVolume::expand_start(std::uint64_t offset) const noexcept
{
	return offset / info_.block_bytes * info_.block_bytes;
}

std::uint64_t PrimaryVolume::expand_end(std::uint64_t end) const noexcept
{
	const std::uint64_t up = (end + info_.block_bytes - 1) / info_.block_bytes * info_.block_bytes;
	return std::min(up, info_.size_bytes);
}

void PrimaryVolume::replicate(std::uint64_t offset, std::span<const std::byte> data, bool fua,
			      Done done)
{
	if (data.empty()) { // the channel always hands a REPLICATE's data
		done(-EINVAL);
		return;
	}
	if (!live()) {
		changes_.mark(offset, data.size());
		stats_.writes_degraded++;
		complete_without_peer(std::move(done));
		return;
	}
	start_live(Blocked{Kind::live, offset, data.size(), data, fua, false, std::move(done)});
}

void PrimaryVolume::drop(std::uint64_t offset, std::uint64_t length, Done done)
{
	const std::uint64_t start = expand_start(offset);
	const std::uint64_t end = expand_end(offset + length);
	if (end <= start) {
		done(0);
		return;
	}
	if (!live()) {
		changes_.mark(start, end - start);
		complete_without_peer(std::move(done));
		return;
	}
	start_live(Blocked{Kind::drop, start, end - start, {}, false, false, std::move(done)});
}

void PrimaryVolume::flush(Done done)
{
	if (!live()) {
		complete_without_peer(std::move(done));
		return;
	}
	start_live(Blocked{Kind::live, 0, 0, {}, false, true, std::move(done)});
}

unsigned PrimaryVolume::parts_of(const Blocked& request) const
{
	if (request.flush || request.kind == Kind::drop)
		return 1;
	const std::uint32_t max_write = link_->peer().max_write_bytes;
	return static_cast<unsigned>((request.length + max_write - 1) / max_write);
}

bool PrimaryVolume::has_room(const Blocked& request) const
{
	if (request.flush)
		return tracker_.outstanding_flushes() < AckTracker::default_max_outstanding;
	return tracker_.outstanding_writes() + parts_of(request) <= AckTracker::default_max_outstanding;
}

void PrimaryVolume::start_live(Blocked request)
{
	// Requests keep their order: nothing overtakes one that waits.
	if (!blocked_.empty() || !outbox_.empty() || !has_room(request)) {
		blocked_.push_back(std::move(request));
		return;
	}
	issue(std::move(request));
}

void PrimaryVolume::issue(Blocked request)
{
	const std::uint64_t cookie = next_cookie_++;
	if (request.flush) {
		auto up_to = tracker_.flush(cookie, SteadyClock::now());
		if (!up_to) { // cannot happen: room was checked
			request.done(0);
			return;
		}
		flushes_.emplace(cookie, std::move(request.done));
		queue_send(Flush{info_.id, *up_to}, {});
		return;
	}
	const unsigned parts = parts_of(request);
	Pending p;
	p.kind = request.kind;
	p.offset = request.offset;
	p.length = request.length;
	p.data = request.data;
	p.fua = request.fua;
	p.done = std::move(request.done);
	p.acks_left = parts;
	auto [it, inserted] = pending_.emplace(cookie, std::move(p));
	(void)inserted;
	send_parts(cookie, it->second, parts);
}

// Assigns the seqs of a request's parts and queues their frames.  The
// seqs come first, in offset order, so a resync's seqs are taken before
// its read (see the header).
void PrimaryVolume::assign_seqs(std::uint64_t cookie, Pending& p, unsigned parts)
{
	const auto now = SteadyClock::now();
	p.seqs.clear();
	for (unsigned i = 0; i < parts; i++) {
		auto seq = tracker_.send(cookie, now);
		// Room was checked by the caller; a refusal would be a bug here.
		p.seqs.push_back(seq ? *seq : 0);
		if (seq) {
			seq_part_.emplace(*seq, std::make_pair(cookie, i));
			gate_->assigned(*seq);
		}
	}
}

void PrimaryVolume::send_parts(std::uint64_t cookie, Pending& p, unsigned parts)
{
	if (p.seqs.empty())
		assign_seqs(cookie, p, parts);
	if (p.kind == Kind::resync && !p.sent)
		return; // the frames go once the read is done
	if (p.kind == Kind::drop) {
		queue_send(Discard{info_.id, p.seqs.at(0), p.offset, p.length, false}, {});
		return;
	}
	const std::uint32_t max_write = link_->peer().max_write_bytes;
	const std::span<const std::byte> data =
		p.kind == Kind::resync ? std::span<const std::byte>(p.buffer.span()) : p.data;
	for (std::size_t i = 0; i < p.seqs.size(); i++) {
		const std::uint64_t at = std::uint64_t{i} * max_write;
		const auto piece = data.subspan(at, std::min<std::uint64_t>(max_write, data.size() - at));
		queue_send(Write{info_.id, p.seqs[i], p.offset + at, p.fua, p.kind == Kind::resync,
				 piece},
			   cookie);
	}
}

void PrimaryVolume::queue_send(Message message, std::optional<std::uint64_t> cookie)
{
	outbox_.push_back(Outgoing{std::move(message), cookie});
	drain_outbox();
}

void PrimaryVolume::drain_outbox()
{
	while (link_ && !outbox_.empty()) {
		Outgoing& out = outbox_.front();
		Release release;
		if (out.cookie) {
			// The link reads the data until it calls this: the request
			// completes only after (the kernel reuses its buffer).
			release = [this, alive = std::weak_ptr<bool>(alive_), cookie = *out.cookie] {
				if (auto a = alive.lock(); a && *a)
					released(cookie);
			};
		}
		auto sent = link_->send(out.message, std::move(release));
		if (!sent) {
			if (sent.error().kind == SendError::Kind::queue_full)
				return; // writable() comes back here
			if (sent.error().kind == SendError::Kind::invalid)
				log(LogLevel::error, "cannot send " + describe(out.message) + ": " +
							     sent.error().what);
			// The link is closing: link_lost() follows.
			return;
		}
		if (out.cookie)
			if (auto it = pending_.find(*out.cookie); it != pending_.end())
				it->second.releases_left++;
		outbox_.pop_front();
	}
}

void PrimaryVolume::released(std::uint64_t cookie)
{
	auto it = pending_.find(cookie);
	if (it == pending_.end() || it->second.releases_left == 0)
		return;
	it->second.releases_left--;
	settle(cookie);
}

void PrimaryVolume::writable()
{
	drain_outbox();
	unblock();
	pump_resync();
}

void PrimaryVolume::unblock()
{
	while (!blocked_.empty() && outbox_.empty()) {
		if (!live()) {
			// Lost meanwhile: as if it came now.
			Blocked next = std::move(blocked_.front());
			blocked_.pop_front();
			if (next.flush)
				next.done(0);
			else if (next.kind == Kind::drop)
				drop(next.offset, next.length, std::move(next.done));
			else
				replicate(next.offset, next.data, next.fua, std::move(next.done));
			continue;
		}
		if (!has_room(blocked_.front()))
			return;
		Blocked next = std::move(blocked_.front());
		blocked_.pop_front();
		issue(std::move(next));
	}
}

void PrimaryVolume::settle(std::uint64_t cookie)
{
	auto it = pending_.find(cookie);
	if (it == pending_.end())
		return;
	Pending& p = it->second;
	if (p.acks_left != 0 || p.releases_left != 0 || p.reading)
		return;
	Done done = std::move(p.done);
	const Kind kind = p.kind;
	const std::uint64_t length = p.length;
	const bool abandoned = p.abandoned;
	const bool without_peer = p.without_peer;
	pending_.erase(it);
	if (kind == Kind::resync) {
		resync_in_flight_--;
		if (!abandoned)
			stats_.resync_acked += length;
		pump_resync();
		maybe_end_round();
	} else {
		stats_.writes_replicated++;
		// The local write holds the data; a peer that failed to store it
		// gets the block again by resync, so the application sees success
		// (once Ceph knows the peer's copy lacks it).
		if (done && without_peer)
			complete_without_peer(std::move(done));
		else if (done)
			done(0);
	}
	unblock();
}

hps::Result<void, std::string> PrimaryVolume::on_message(const Message& message)
{
	if (const auto* ack = std::get_if<WriteAck>(&message)) {
		auto done = tracker_.ack(ack->seq, ack->status);
		if (!done)
			return hps::fail(std::move(done).error());
		auto part = seq_part_.find(ack->seq);
		if (part == seq_part_.end())
			return {};
		const std::uint64_t cookie = part->second.first;
		seq_part_.erase(part);
		auto it = pending_.find(cookie);
		if (it == pending_.end())
			return {};
		Pending& p = it->second;
		if (ack->status != 0) {
			stats_.peer_errors++;
			stats_.last_error = "peer could not store " + describe(message);
			// The peer lacks these blocks now: the next resync round sends
			// them (in_sync: start one).
			retry_.emplace_back(expand_start(p.offset), expand_end(p.offset + p.length));
			p.without_peer = true;
			update_gate(); // what writeback read may not be on the peer
			if (state_ == ReplicaState::in_sync && !round_pending_)
				begin_round();
		} else {
			unflushed_.emplace(ack->seq, std::make_pair(p.offset, p.length));
		}
		if (p.acks_left > 0)
			p.acks_left--;
		settle(cookie);
		return {};
	}
	if (const auto* ack = std::get_if<FlushAck>(&message)) {
		auto done = tracker_.flush_ack(ack->up_to, ack->status);
		if (!done)
			return hps::fail(std::move(done).error());
		// Everything up to it is in the peer's committed metadata.
		unflushed_.erase(unflushed_.begin(), unflushed_.upper_bound(ack->up_to));
		for (const auto& c : *done) {
			auto it = flushes_.find(c.cookie);
			if (it == flushes_.end())
				continue;
			Done d = std::move(it->second);
			flushes_.erase(it);
			if (d)
				d(0);
		}
		unblock();
		return {};
	}
	if (const auto* ack = std::get_if<AttachAck>(&message)) {
		if (state_ != ReplicaState::attaching || round_pending_)
			return hps::fail("ATTACH_ACK for volume " + std::to_string(ack->volume) +
					 " that is not attaching");
		if (ack->status != 0) {
			stats_.last_error = "peer refused the volume: error " + std::to_string(ack->status);
			log(LogLevel::error, "peer " + info_.peer + " refused the volume (errno " +
						     std::to_string(ack->status) +
						     "); degraded until the next connection");
			state_ = ReplicaState::degraded;
			update_gate();
			return {};
		}
		if (ask_peer_kept_) {
			ask_peer_kept_ = false;
			if (ack->kept) {
				log(LogLevel::info, "peer " + info_.peer +
							    " kept its copy across this hpsd's restart: "
							    "resync sends only the " +
							    std::to_string(changes_.bytes()) +
							    " bytes changed since");
			} else {
				changes_.mark_all();
				log(LogLevel::info, "peer " + info_.peer +
							    " did not keep its copy since its last link "
							    "from here: resync sends the whole volume");
			}
		}
		begin_round();
		return {};
	}
	if (const auto* ack = std::get_if<CleanAck>(&message)) {
		stats_.clean_acks++;
		if (ack->status != 0) {
			stats_.clean_errors++;
			log(LogLevel::warn, "peer " + info_.peer + " could not mark CLEAN batch " +
						    std::to_string(ack->batch) + " clean: errno " +
						    std::to_string(ack->status) + " (its blocks stay dirty there)");
		}
		return {};
	}
	return hps::fail(std::string(to_string(type_of(message))) + " for volume " +
			 std::to_string(info_.id) + " is not a primary's message");
}

void PrimaryVolume::link_up(std::shared_ptr<Link> link)
{
	if (link_)
		link_lost("replaced by a new link");
	link_ = std::move(link);
	generation_++;
	state_ = ReplicaState::attaching;
	round_pending_ = false;
	update_gate();
	log(LogLevel::info, "attaching to " + link_->name());
	queue_send(Attach{info_.id, info_.size_bytes, info_.block_bytes, info_.name, info_.image}, {});
}

// A resync round: through the barrier, then RESYNC_BEGIN and the change
// log's blocks.
void PrimaryVolume::begin_round()
{
	round_pending_ = true;
	update_gate();
	const std::uint64_t generation = generation_;
	auto alive = std::weak_ptr<bool>(alive_);
	hooks_.barrier(
		[this, alive, generation] {
			if (auto a = alive.lock(); !a || !*a || generation != generation_ || !link_)
				return;
			// Every write handed over so far is on the cache device.
			for (auto [start, end] : retry_)
				changes_.mark(start, end - start);
			retry_.clear();
			round_pending_ = false;
			state_ = ReplicaState::resyncing;
			stats_.resync_rounds++;
			stats_.resync_planned = changes_.bytes();
			stats_.resync_sent = 0;
			stats_.resync_acked = 0;
			round_started_ = SteadyClock::now();
			log(LogLevel::info, "resync round " + std::to_string(stats_.resync_rounds) +
						    ": " + std::to_string(stats_.resync_planned) +
						    " bytes to send to " + info_.peer);
			queue_send(ResyncBegin{info_.id, tracker_.next_seq(), stats_.resync_planned}, {});
			update_gate();
		},
		[this, alive, generation](const std::string& error) {
			if (auto a = alive.lock(); !a || !*a)
				return;
			if (!error.empty()) {
				round_pending_ = false;
				update_gate();
				if (generation == generation_ && link_)
					fail_link("barrier failed: " + error);
				return;
			}
			pump_resync();
			maybe_end_round();
		});
}

void PrimaryVolume::pump_resync()
{
	if (state_ != ReplicaState::resyncing || !link_ || round_pending_)
		return;
	const std::uint32_t max_write = link_->peer().max_write_bytes;
	const std::uint64_t chunk = std::min<std::uint64_t>(max_resync_chunk, max_write);
	while (resync_in_flight_ < max_resync_in_flight && outbox_.empty() && blocked_.empty() &&
	       !resync_timer_armed_ &&
	       tracker_.outstanding_writes() < AckTracker::default_max_outstanding) {
		std::optional<ChangeLog::Run> range = std::exchange(deferred_, std::nullopt);
		if (!range) {
			range = changes_.take(chunk);
			if (!range)
				break;
			// The recovery limit: the run goes once its bytes are due.
			const auto wait = limiter_.delay_for(range->length, SteadyClock::now());
			if (wait.count() > 0) {
				deferred_ = range;
				resync_timer_armed_ = true;
				resync_timer_.expires_after(wait);
				resync_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](
								 const boost::system::error_code& ec) {
					if (auto a = alive.lock(); !a || !*a)
						return;
					resync_timer_armed_ = false;
					if (!ec)
						pump_resync();
				});
				return;
			}
		}
		const std::uint64_t cookie = next_cookie_++;
		Pending p;
		p.kind = Kind::resync;
		p.offset = range->offset;
		p.length = range->length;
		p.buffer = AlignedBuffer::allocate((range->length + AlignedBuffer::alignment - 1) /
						   AlignedBuffer::alignment * AlignedBuffer::alignment);
		p.buffer.resize(range->length);
		p.acks_left = 1;
		p.reading = true;
		auto [it, inserted] = pending_.emplace(cookie, std::move(p));
		(void)inserted;
		assign_seqs(cookie, it->second, 1);
		resync_in_flight_++;
		stats_.resync_sent += range->length;
		hooks_.read(it->second.offset, it->second.buffer.span(),
			    [this, alive = std::weak_ptr<bool>(alive_), cookie](int result) {
				    if (auto a = alive.lock(); a && *a)
					    read_done(cookie, result);
			    });
	}
}

void PrimaryVolume::read_done(std::uint64_t cookie, int result)
{
	auto it = pending_.find(cookie);
	if (it == pending_.end())
		return;
	Pending& p = it->second;
	p.reading = false;
	if (p.abandoned) {
		settle(cookie);
		return;
	}
	if (result < 0) {
		changes_.mark(p.offset, p.length);
		stats_.last_error = "resync read at " + std::to_string(p.offset) + " failed: errno " +
				    std::to_string(-result);
		fail_link(stats_.last_error);
		return;
	}
	p.sent = true;
	send_parts(cookie, p, 1);
}

void PrimaryVolume::maybe_end_round()
{
	// A run waiting for the recovery limit was taken from the log already.
	if (state_ != ReplicaState::resyncing || !link_ || round_pending_ || resync_in_flight_ != 0 ||
	    !changes_.empty() || deferred_)
		return;
	queue_send(ResyncEnd{info_.id, tracker_.next_seq() - 1, 0, stats_.resync_acked}, {});
	state_ = ReplicaState::in_sync;
	stats_.resync_elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
		SteadyClock::now() - round_started_);
	log(LogLevel::info, "in sync with " + info_.peer + " (round " +
				    std::to_string(stats_.resync_rounds) + ", " +
				    std::to_string(stats_.resync_acked) + " bytes resynced)");
	// Only once nothing waits for the record: those requests were
	// completed without the peer (a record being made is cleared after,
	// in order, by the next in-sync round).
	if (outdated_ == Outdated::recorded && hooks_.clear_outdated) {
		outdated_ = Outdated::unknown;
		hooks_.clear_outdated();
	}
	if (!retry_.empty())
		begin_round();
	update_gate();
}

// The peer's copy is whole and live: CLEANs may go.  A new token each time
// it becomes so (see clean_gate.hpp).
void PrimaryVolume::update_gate()
{
	const bool whole = link_ && state_ == ReplicaState::in_sync && !round_pending_ &&
			   retry_.empty();
	if (!whole)
		gate_->set_token(0);
	else if (gate_->token() == 0)
		gate_->set_token(++clean_epoch_);
}

void PrimaryVolume::clean(CleanMark mark,
			  const std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges)
{
	std::uint64_t bytes = 0;
	for (const auto& [offset, length] : ranges)
		bytes += length;
	if (!link_ || mark.token == 0 || gate_->token() != mark.token) {
		stats_.clean_dropped_bytes += bytes;
		return;
	}
	// An entry's length is 32 bits on the wire: long runs go in pieces
	// of 1 GiB (whole blocks, a multiple of 512 like the ranges).
	constexpr std::uint64_t max_piece = std::uint64_t{1} << 30;
	const std::uint32_t per_frame = Limits{}.max_clean_entries;
	Clean frame{info_.id, 0, {}};
	auto send = [&] {
		if (frame.entries.empty())
			return;
		frame.batch = next_clean_batch_++;
		stats_.clean_batches++;
		queue_send(std::move(frame), {});
		frame = Clean{info_.id, 0, {}};
	};
	for (auto [offset, length] : ranges) {
		if (offset % sector_bytes != 0 || length % sector_bytes != 0 || length == 0 ||
		    offset + length > info_.size_bytes) {
			stats_.clean_dropped_bytes += length; // cannot happen: the kernel's blocks
			continue;
		}
		while (length > 0) {
			const std::uint64_t piece = std::min(length, max_piece);
			frame.entries.push_back({offset, static_cast<std::uint32_t>(piece), mark.seq});
			stats_.clean_bytes += piece;
			offset += piece;
			length -= piece;
			if (frame.entries.size() == per_frame)
				send();
		}
	}
	send();
}

void PrimaryVolume::fail_link(const std::string& reason)
{
	if (!link_)
		return;
	auto link = link_;
	link->close(reason);
	if (hooks_.link_failed)
		hooks_.link_failed(reason); // the manager tells every volume of the link
	else
		link_lost(reason);
}

void PrimaryVolume::link_lost(const std::string& reason)
{
	if (!link_)
		return;
	link_.reset();
	generation_++;
	round_pending_ = false;
	resync_timer_.cancel();
	outbox_.clear();
	if (deferred_)
		changes_.mark(deferred_->offset, deferred_->length);
	deferred_.reset();
	// ChangeLog::mark rounds out to whole blocks itself.
	// What the peer did not ack may be missing there, and so may what it
	// acked since its last metadata commit (a power loss there drops it).
	for (const auto& [seq, range] : unflushed_)
		changes_.mark(range.first, range.second);
	unflushed_.clear();
	seq_part_.clear();
	AckTracker::Abandoned left = tracker_.abandon();
	for (const auto& w : left.writes) {
		auto it = pending_.find(w.cookie);
		if (it == pending_.end())
			continue;
		Pending& p = it->second;
		if (p.acks_left == 0)
			continue; // a request of several parts: done already
		p.acks_left = 0;
		changes_.mark(p.offset, p.length);
		if (p.kind == Kind::resync) {
			p.abandoned = true;
		} else {
			stats_.writes_degraded++;
			p.without_peer = true;
		}
	}
	for (auto [start, end] : retry_)
		changes_.mark(start, end - start);
	retry_.clear();
	for (const auto& f : left.flushes) {
		auto it = flushes_.find(f.cookie);
		if (it == flushes_.end())
			continue;
		Done d = std::move(it->second);
		flushes_.erase(it);
		if (d)
			complete_without_peer(std::move(d));
	}
	// Settle after the loop: settle() may erase entries.
	std::vector<std::uint64_t> cookies;
	for (const auto& [cookie, p] : pending_)
		cookies.push_back(cookie);
	for (std::uint64_t cookie : cookies)
		settle(cookie);
	if (state_ != ReplicaState::degraded)
		degraded_since_ = std::chrono::system_clock::now();
	state_ = ReplicaState::degraded;
	update_gate();
	stats_.last_error = reason;
	log(LogLevel::warn, "degraded: " + reason + "; recording changes for resync");
	unblock();
}

std::optional<std::chrono::steady_clock::time_point> PrimaryVolume::oldest_wait() const noexcept
{
	return tracker_.oldest_sent();
}

PrimaryVolumeStatus PrimaryVolume::status() const
{
	PrimaryVolumeStatus s = stats_;
	s.state = state_;
	s.degraded_since = degraded_since_;
	s.changed_bytes = changes_.bytes();
	if (state_ == ReplicaState::resyncing)
		s.resync_elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
			SteadyClock::now() - round_started_);
	return s;
}

void PrimaryVolume::stop()
{
	outdated_timer_.cancel();
	// Nothing waits for Ceph from here; what the next hpsd is handed
	// it completes once it has made the record or reached the peer.
	stopped_ = true;
	auto waiting = std::move(without_peer_);
	without_peer_.clear();
	for (auto& d : waiting)
		d(result_give_back);
}

void PrimaryVolume::complete_without_peer(Done done)
{
	if (!done)
		return;
	if (stopped_) {
		done(result_give_back);
		return;
	}
	if (!hooks_.record_outdated || outdated_ == Outdated::recorded) {
		done(0);
		return;
	}
	if (outdated_ == Outdated::fenced) {
		done(-EIO);
		return;
	}
	without_peer_.push_back(std::move(done));
	if (outdated_ == Outdated::unknown)
		record_outdated();
}

void PrimaryVolume::record_outdated()
{
	outdated_ = Outdated::recording;
	std::weak_ptr<bool> alive = alive_;
	hooks_.record_outdated([this, alive](OutdatedRecord result, const std::string& why) {
		if (auto a = alive.lock(); a && *a)
			outdated_answer(result, why);
	});
}

void PrimaryVolume::outdated_answer(OutdatedRecord result, const std::string& why)
{
	switch (result) {
	case OutdatedRecord::recorded:
		outdated_ = Outdated::recorded;
		log(LogLevel::info, "recorded in Ceph that " + info_.peer + "'s copy is outdated");
		break;
	case OutdatedRecord::fenced:
		outdated_ = Outdated::fenced;
		stats_.last_error = "fenced: " + why;
		log(LogLevel::error, "fenced, writes fail: " + why);
		break;
	case OutdatedRecord::failed: {
		stats_.last_error = "cannot record the peer's copy as outdated: " + why;
		log(LogLevel::warn, stats_.last_error + "; writes wait, retrying in 1 s");
		outdated_timer_.expires_after(std::chrono::seconds(1));
		std::weak_ptr<bool> alive = alive_;
		outdated_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
			if (auto a = alive.lock(); !ec && a && *a)
				record_outdated();
		});
		return;
	}
	}
	auto waiting = std::move(without_peer_);
	without_peer_.clear();
	for (auto& d : waiting)
		d(result == OutdatedRecord::recorded ? 0 : -EIO);
}

} // namespace hpsd::replication
