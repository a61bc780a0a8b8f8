// SPDX-License-Identifier: GPL-2.0-only
#include "replication/replica_applier.hpp"

#include "replication/wire.hpp"
#include "util/errno_text.hpp"

#include <boost/asio/post.hpp>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace hpsd::replication {
namespace {

std::string n(std::uint64_t v)
{
	return std::to_string(v);
}

// A kernel result as a WRITE_ACK / FLUSH_ACK status: 0 or a positive errno
// the protocol can carry (at most max_status).
std::uint32_t status_of(int res) noexcept
{
	if (res >= 0)
		return 0;
	const auto err = static_cast<std::uint32_t>(-res);
	return err <= max_status ? err : EIO;
}

// Offsets and lengths are multiples of 512 on the wire (the decoder checks
// it); checked again because the resync skip works in sectors and O_DIRECT
// refuses anything else.
hps::Result<void, std::string> check_range(const char* what, std::uint64_t seq,
					   std::uint64_t offset, std::uint64_t length)
{
	if (offset % sector_bytes != 0)
		return hps::fail(std::string(what) + " seq " + n(seq) + ": offset " + n(offset) +
				 " is not a multiple of " + n(sector_bytes));
	if (length == 0 || length % sector_bytes != 0)
		return hps::fail(std::string(what) + " seq " + n(seq) + ": length " + n(length) +
				 " is not a positive multiple of " + n(sector_bytes));
	return {};
}

} // namespace

hps::Result<std::unique_ptr<ReplicaApplier>, std::string>
ReplicaApplier::open(boost::asio::io_context& io, const std::filesystem::path& device,
		     std::uint32_t volume, std::uint64_t first_seq, ApplierOptions options,
		     ApplierSink sink)
{
	if (volume == 0)
		return hps::fail(std::string("replication: applier: volume id 0"));
	if (first_seq == 0)
		return hps::fail(std::string("replication: applier: first_seq 0"));
	if (options.queue_depth == 0 || options.queue_depth > 32768)
		return hps::fail("replication: applier: queue_depth " + n(options.queue_depth) +
				 " not in 1..32768");
	if (options.window == 0)
		return hps::fail(std::string("replication: applier: window 0"));

	const int flags = O_WRONLY | O_CLOEXEC | (options.direct ? O_DIRECT : 0);
	hps::UniqueFd fd(::open(device.c_str(), flags));
	if (!fd.valid()) {
		const int err = errno;
		return hps::fail("replication: cannot open " + device.string() + ": " +
				 hps::errno_text(err));
	}
	struct stat st {};
	if (::fstat(fd.get(), &st) != 0) {
		const int err = errno;
		return hps::fail("replication: cannot stat " + device.string() + ": " +
				 hps::errno_text(err));
	}
	const bool block = S_ISBLK(st.st_mode);
	if (!block && !S_ISREG(st.st_mode))
		return hps::fail("replication: " + device.string() +
				 " is not a block device or a regular file");

	auto self = std::make_unique<ReplicaApplier>(Key{}, io, std::move(fd), block, volume,
						     first_seq, options, std::move(sink));
	if (auto r = self->setup_ring(options.queue_depth); !r)
		return hps::fail("replication: " + device.string() + ": " + r.error());
	return self;
}

ReplicaApplier::ReplicaApplier(Key, boost::asio::io_context& io, hps::UniqueFd device,
			       bool block_device, std::uint32_t volume, std::uint64_t first_seq,
			       const ApplierOptions& options, ApplierSink sink)
	: io_(io), device_(std::move(device)), block_device_(block_device), volume_(volume),
	  options_(options), sink_(std::move(sink)), order_(first_seq, options.window),
	  pool_(options.keep_buffer_bytes), clean_window_(first_seq, options.clean_window), wake_(io),
	  retry_(io)
{
}

ReplicaApplier::~ReplicaApplier()
{
	stop();
}

hps::Result<void, std::string> ReplicaApplier::setup_ring(unsigned queue_depth)
{
	if (int r = io_uring_queue_init(queue_depth, &ring_, 0); r < 0)
		return hps::fail("io_uring_queue_init(" + n(queue_depth) +
				 "): " + hps::errno_text(-r));
	ring_ready_ = true;
	// The completion queue has twice the submission queue's entries, so
	// with at most this many in flight it never overflows.
	capacity_ = ring_.sq.ring_entries;

	// Non-blocking: it is read only after Asio said it is readable, and
	// read once more than needed is harmless.
	const int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0) {
		const int err = errno;
		return hps::fail("eventfd: " + hps::errno_text(err));
	}
	boost::system::error_code ec;
	wake_.assign(efd, ec); // the descriptor owns efd from here
	if (ec) {
		::close(efd);
		return hps::fail("eventfd: " + ec.message());
	}
	if (int r = io_uring_register_eventfd(&ring_, efd); r < 0)
		return hps::fail("io_uring_register_eventfd: " + hps::errno_text(-r));
	arm_wait();
	return {};
}

hps::Result<void, std::string> ReplicaApplier::write(const Write& w)
{
	if (stopped_)
		return hps::fail("WRITE seq " + n(w.seq) + ": the applier is stopped");
	if (w.volume != volume_)
		return hps::fail("WRITE seq " + n(w.seq) + ": volume " + n(w.volume) +
				 ", this applier's is " + n(volume_));
	if (auto r = check_range("WRITE", w.seq, w.offset, w.data.size()); !r)
		return r;
	if (w.data.size() > max_write_limit)
		return hps::fail("WRITE seq " + n(w.seq) + ": length " + n(w.data.size()) +
				 " is past " + n(max_write_limit));
	auto buffer = pool_.acquire(w.data.size());
	if (!buffer)
		return hps::fail("WRITE seq " + n(w.seq) + ": " + buffer.error());
	std::memcpy(buffer->span().data(), w.data.data(), w.data.size());

	Op op;
	op.kind = OpKind::write;
	op.offset = w.offset;
	op.length = w.data.size();
	op.fua = w.fua;
	op.resync = w.resync;
	op.data = std::move(*buffer);
	return arrive("WRITE", w.seq, std::move(op));
}

hps::Result<void, std::string> ReplicaApplier::discard(const Discard& d)
{
	if (stopped_)
		return hps::fail("DISCARD seq " + n(d.seq) + ": the applier is stopped");
	if (d.volume != volume_)
		return hps::fail("DISCARD seq " + n(d.seq) + ": volume " + n(d.volume) +
				 ", this applier's is " + n(volume_));
	if (auto r = check_range("DISCARD", d.seq, d.offset, d.length); !r)
		return r;
	Op op;
	op.kind = OpKind::discard;
	op.offset = d.offset;
	op.length = d.length;
	op.resync = d.resync;
	return arrive("DISCARD", d.seq, std::move(op));
}

hps::Result<void, std::string> ReplicaApplier::arrive(const char* what, std::uint64_t seq, Op op)
{
	auto ready = order_.arrive(seq, op.offset, op.length);
	if (!ready) {
		pool_.release(std::move(op.data));
		return hps::fail(std::string(what) + " " + ready.error());
	}
	clean_window_.record(seq, {op.offset, op.offset + op.length});
	// Decided at arrival: a resync op that arrives in the window skips live
	// data; one that arrives after it closed is written whole.
	op.skip_live = op.resync && resync_window_open();
	if (op.skip_live)
		++skipping_unissued_;
	else if (!op.resync && resync_window_open())
		live_.add({op.offset, op.offset + op.length});
	ops_.emplace(seq, std::move(op));
	dispatch(*ready);
	schedule_kick();
	return {};
}

hps::Result<void, std::string> ReplicaApplier::flush(const Flush& f)
{
	if (stopped_)
		return hps::fail("FLUSH up to " + n(f.up_to) + ": the applier is stopped");
	if (f.volume != volume_)
		return hps::fail("FLUSH up to " + n(f.up_to) + ": volume " + n(f.volume) +
				 ", this applier's is " + n(volume_));
	auto ready = order_.flush(f.up_to);
	if (!ready)
		return hps::fail(ready.error()); // "FLUSH up to N is too far ahead: ..."
	dispatch(*ready);
	schedule_kick();
	return {};
}

hps::Result<std::uint32_t, std::string> ReplicaApplier::clean(const Clean& c, const MarkClean& mark)
{
	if (stopped_)
		return hps::fail("CLEAN batch " + n(c.batch) + ": the applier is stopped");
	if (c.volume != volume_)
		return hps::fail("CLEAN batch " + n(c.batch) + ": volume " + n(c.volume) +
				 ", this applier's is " + n(volume_));
	for (const CleanEntry& e : c.entries)
		if (auto r = check_range("CLEAN entry", e.seq, e.offset, e.length); !r)
			return hps::fail(r.error());
	// Every op not yet acked may still reach the device: none may be in
	// flight to a block while it is marked clean.
	hps::RangeSet busy;
	for (const auto& [seq, op] : ops_)
		busy.add({op.offset, op.offset + op.length});
	CleanWindow::Plan plan = clean_window_.plan(c.entries, busy);
	++counters_.cleans;
	counters_.clean_kept_bytes += plan.kept_bytes;
	counters_.clean_ignored_bytes += plan.ignored_bytes;
	if (plan.ranges.empty())
		return 0U;
	if (const int r = mark ? mark(plan.ranges) : -ENOSYS; r < 0) {
		++counters_.clean_errors;
		return status_of(r);
	}
	for (const hps::ByteRange& r : plan.ranges)
		counters_.clean_bytes += r.length();
	return 0U;
}

void ReplicaApplier::begin_resync()
{
	window_open_ = true;
}

void ReplicaApplier::end_resync()
{
	window_open_ = false;
	// Resync writes of the window still waiting for their turn (behind an
	// overlapping write) must skip live data as much as those issued
	// already: the set goes when the last of them is issued.
	if (skipping_unissued_ == 0)
		live_.clear();
}

void ReplicaApplier::dispatch(const ApplyOrder::Ready& ready)
{
	for (std::uint64_t seq : ready.writes)
		issue(seq);
	// Every seq up to each of these is applied: one fsync commits them all.
	if (!ready.flushes.empty()) {
		Io io;
		io.kind = Io::Kind::fsync;
		io.up_tos = ready.flushes;
		queued_.push_back(std::move(io));
	}
}

void ReplicaApplier::issue(std::uint64_t seq)
{
	auto it = ops_.find(seq);
	if (it == ops_.end())
		return; // cannot happen: ApplyOrder hands out only seqs that arrived here
	Op& op = it->second;

	std::vector<hps::ByteRange> pieces{{op.offset, op.offset + op.length}};
	if (op.skip_live) {
		// Live data that arrived since the window opened, in any seq
		// order, is newer than this resync data: leave it alone.
		pieces = live_.uncovered(pieces.front());
		std::uint64_t left = 0;
		for (const hps::ByteRange& p : pieces)
			left += p.length();
		counters_.resync_bytes_skipped += op.length - left;
		if (--skipping_unissued_ == 0 && !window_open_)
			live_.clear();
	}

	if (op.kind == OpKind::discard) {
		// Synchronous: on a secondary a discard only drops cache blocks.
		// Its ack still waits for the posted kick, never from the caller's
		// discard() itself.
		for (const hps::ByteRange& p : pieces) {
			if (std::uint32_t status = discard_range(p); status != 0) {
				if (op.status == 0)
					op.status = status;
				continue;
			}
			counters_.discard_bytes += p.length();
			if (op.resync)
				counters_.resync_bytes_written += p.length();
		}
		sync_ready_.push_back(seq);
		return;
	}
	if (pieces.empty()) {
		sync_ready_.push_back(seq); // all of it was live-covered: done
		return;
	}
	op.pieces_left = static_cast<unsigned>(pieces.size());
	for (const hps::ByteRange& p : pieces) {
		Io io;
		io.kind = Io::Kind::piece;
		io.seq = seq;
		io.offset = p.begin;
		io.data = op.data.span().data() + (p.begin - op.offset);
		io.length = static_cast<std::uint32_t>(p.length()); // <= max_write_limit
		io.fua = op.fua;
		queued_.push_back(std::move(io));
	}
}

std::uint32_t ReplicaApplier::discard_range(hps::ByteRange r)
{
	int rc = 0;
	if (block_device_) {
		std::uint64_t range[2] = {r.begin, r.length()};
		rc = ::ioctl(device_.get(), BLKDISCARD, range);
	} else {
		// A regular file (tests): a hole reads back as zeros, like a
		// discarded block of a device with discard_zeroes_data.
		rc = ::fallocate(device_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				 static_cast<off_t>(r.begin), static_cast<off_t>(r.length()));
	}
	return rc == 0 ? 0 : status_of(-errno);
}

void ReplicaApplier::schedule_kick()
{
	if (kick_posted_ || stopped_)
		return;
	kick_posted_ = true;
	// Posted, so that every message of the burst the link is delivering
	// now is handed out before the one io_uring_submit.
	boost::asio::post(io_, [this, alive = std::weak_ptr<int>(alive_)] {
		if (alive.expired())
			return;
		kick_posted_ = false;
		if (!stopped_)
			kick();
	});
}

bool ReplicaApplier::kick()
{
	if (!run_sync_ready())
		return false;
	submit();
	return true;
}

bool ReplicaApplier::run_sync_ready()
{
	// finish() may release more of them: loop until none is left.
	while (!sync_ready_.empty()) {
		const std::uint64_t seq = sync_ready_.front();
		sync_ready_.pop_front();
		if (!finish(seq))
			return false;
	}
	return true;
}

void ReplicaApplier::submit()
{
	while (!queued_.empty() && in_flight_.size() < capacity_) {
		// in_flight_ counts the unsubmitted SQEs too, so the submission
		// queue always has room here.
		io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
		if (!sqe)
			break;
		Io& io = queued_.front();
		if (io.kind == Io::Kind::piece) {
			io_uring_prep_write(sqe, device_.get(), io.data, io.length, io.offset);
			if (io.fua)
				sqe->rw_flags = RWF_DSYNC;
		} else {
			io_uring_prep_fsync(sqe, device_.get(), 0);
		}
		const std::uint64_t token = next_token_++;
		io_uring_sqe_set_data64(sqe, token);
		in_flight_.emplace(token, std::move(io));
		queued_.pop_front();
		++unsubmitted_;
	}
	if (unsubmitted_ == 0)
		return;
	const int r = io_uring_submit(&ring_);
	if (r > 0)
		unsubmitted_ -= std::min(unsubmitted_, static_cast<unsigned>(r));
	if (unsubmitted_ == 0 || retry_armed_)
		return;
	// The kernel took none or only part (out of memory, say): the rest
	// stays in the submission queue; try again shortly rather than spin.
	retry_armed_ = true;
	retry_.expires_after(std::chrono::milliseconds(1));
	retry_.async_wait([this, alive = std::weak_ptr<int>(alive_)](
				  const boost::system::error_code& ec) {
		if (alive.expired())
			return;
		retry_armed_ = false;
		if (!ec && !stopped_)
			submit();
	});
}

void ReplicaApplier::arm_wait()
{
	auto on_ready = [this, alive = std::weak_ptr<int>(alive_)](
				const boost::system::error_code& ec) {
		if (alive.expired() || ec || stopped_)
			return;
		on_ring_event();
	};
	wake_.async_wait(boost::asio::posix::descriptor_base::wait_read, std::move(on_ready));
}

void ReplicaApplier::on_ring_event()
{
	// Reset the eventfd before reaping: a completion posted after the
	// reaping below makes it readable again, so none is missed.
	std::uint64_t count = 0;
	[[maybe_unused]] const auto got = ::read(wake_.native_handle(), &count, sizeof(count));

	// Take every completion off the ring first, so a callback that stops
	// the applier finds the ring in order.
	std::vector<std::pair<Io, int>> done;
	io_uring_cqe* cqe = nullptr;
	while (io_uring_peek_cqe(&ring_, &cqe) == 0) {
		const std::uint64_t token = io_uring_cqe_get_data64(cqe);
		const int res = cqe->res;
		io_uring_cqe_seen(&ring_, cqe);
		if (auto node = in_flight_.extract(token))
			done.emplace_back(std::move(node.mapped()), res);
	}
	for (auto& [io, res] : done)
		if (!complete(std::move(io), res))
			return;
	if (kick())
		arm_wait();
}

bool ReplicaApplier::complete(Io io, int res)
{
	const std::weak_ptr<int> alive(alive_);
	if (io.kind == Io::Kind::fsync) {
		const std::uint32_t status = status_of(res);
		for (std::uint64_t up_to : io.up_tos) {
			++counters_.flushes;
			if (status != 0)
				++counters_.errors;
			if (sink_.flush_ack)
				sink_.flush_ack(FlushAck{volume_, up_to, status});
			if (alive.expired() || stopped_)
				return false;
		}
		return true;
	}

	auto it = ops_.find(io.seq);
	if (it == ops_.end())
		return true; // cannot happen: an op lives until its last piece completed
	Op& op = it->second;
	std::uint32_t status = status_of(res);
	if (status == 0 && static_cast<std::uint32_t>(res) != io.length)
		status = EIO; // short: past the device's end
	if (status == 0) {
		counters_.write_bytes += io.length;
		if (op.resync)
			counters_.resync_bytes_written += io.length;
	} else if (op.status == 0) {
		op.status = status;
	}
	if (--op.pieces_left > 0)
		return true;
	return finish(io.seq);
}

bool ReplicaApplier::finish(std::uint64_t seq)
{
	auto node = ops_.extract(seq);
	if (!node)
		return true;
	Op& op = node.mapped();
	pool_.release(std::move(op.data)); // every piece completed: the kernel is done with it
	if (op.kind == OpKind::write)
		++counters_.writes;
	else
		++counters_.discards;
	if (op.status != 0) {
		++counters_.errors;
		// The block may hold older data than what the primary writes back.
		clean_window_.failed({op.offset, op.offset + op.length});
	}

	const std::weak_ptr<int> alive(alive_);
	if (sink_.write_ack)
		sink_.write_ack(WriteAck{volume_, seq, op.status});
	if (alive.expired() || stopped_)
		return false;

	// A failed op is applied all the same: its range is the primary's to
	// resync, and what overlaps it may go now.
	auto ready = order_.applied(seq);
	if (ready) // always: seq was handed out and not yet reported
		dispatch(*ready);
	return true;
}

void ReplicaApplier::stop()
{
	if (stopped_)
		return;
	stopped_ = true;
	retry_.cancel();
	boost::system::error_code ignored;
	wake_.close(ignored); // ends the wait; the ring keeps its own reference

	if (ring_ready_) {
		// What is prepared goes in, so that every SQE either completes or
		// was never the kernel's: then the count below is exact.
		if (unsubmitted_ > 0)
			io_uring_submit(&ring_);
		const auto deadline = std::chrono::steady_clock::now() + options_.stop_timeout;
		while (!in_flight_.empty()) {
			const auto left = deadline - std::chrono::steady_clock::now();
			if (left <= std::chrono::steady_clock::duration::zero())
				break;
			const auto ns =
				std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
			__kernel_timespec ts{};
			ts.tv_sec = ns / 1000000000;
			ts.tv_nsec = ns % 1000000000;
			io_uring_cqe* cqe = nullptr;
			const int r = io_uring_wait_cqe_timeout(&ring_, &cqe, &ts);
			if (r == -EINTR || r == -ETIME || r == -EAGAIN)
				continue;
			if (r < 0)
				break; // a broken ring: treat what is left as hung
			in_flight_.erase(io_uring_cqe_get_data64(cqe));
			io_uring_cqe_seen(&ring_, cqe);
		}
		if (!in_flight_.empty())
			leak_in_flight_buffers();
		io_uring_queue_exit(&ring_);
		ring_ready_ = false;
	}
	in_flight_.clear();
	queued_.clear();
	sync_ready_.clear();
	ops_.clear();
	live_.clear();
}

// The kernel may still read these buffers (a hung device): losing their
// memory is better than freeing it under a DMA.  Only after stop_timeout.
void ReplicaApplier::leak_in_flight_buffers()
{
	auto kept = std::make_unique<std::vector<AlignedBuffer>>();
	for (const auto& [token, io] : in_flight_) {
		if (io.kind != Io::Kind::piece)
			continue;
		if (auto it = ops_.find(io.seq); it != ops_.end() && it->second.data.valid())
			kept->push_back(std::move(it->second.data));
	}
	[[maybe_unused]] auto* leaked = kept.release(); // deliberately never freed
}

} // namespace hpsd::replication
