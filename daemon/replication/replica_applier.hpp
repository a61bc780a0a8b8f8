// SPDX-License-Identifier: GPL-2.0-only
// The secondary's applier of one volume's replicated writes: it writes the
// WRITEs, DISCARDs and FLUSHes that arrive from the primary into the
// volume's local block device (the secondary's dm `hps` device) and says
// when to answer each (PROTOCOL.md, "The secondary's applier").
//
//  - Order: ApplyOrder decides when each WRITE or DISCARD may go to the
//    device, so overlapping ones land in seq order; a FLUSH is answered
//    once every seq up to it is applied and an fsync of the device (which
//    commits a dm-hps volume's metadata) completed.  A write that failed is
//    applied all the same as far as order goes: its non-zero WRITE_ACK
//    tells the primary to resync that range.
//  - Data: a WRITE's data views the link's receive buffer, valid only
//    during the call, so it is copied into an aligned buffer (O_DIRECT)
//    from a pool.  Writes and fsyncs go to the device through one io_uring
//    of the applier's; DISCARDs are done synchronously (BLKDISCARD on a
//    block device, a punched hole in a regular file): on a secondary they
//    only drop cache blocks.
//  - Resync window: between begin_resync() and end_resync(), the byte
//    ranges covered by live (non-resync) WRITEs and DISCARDs that arrived
//    are recorded, and a resync WRITE or DISCARD, when it is issued,
//    skips them: live data is never older than resync data.  The window
//    closes for good only once every resync write that arrived inside it
//    was issued, so a resync write still waiting behind an overlapping
//    write when RESYNC_END comes is cut like the others.
//  - CLEAN: the primary wrote ranges back to RBD.  What a CleanWindow
//    (clean_window.hpp) allows of them, less every WRITE or DISCARD not
//    yet acked (so none is in flight to those blocks), is marked clean
//    through the caller's MarkClean at once, on this thread: the writes
//    issued after it find the blocks clean and make them dirty again.
//  - Completions: the ring signals an eventfd, which the applier waits on
//    with Boost.Asio on the io_context it is given; completions are reaped
//    there, so every callback runs on that thread (the link's), never from
//    within write(), discard() or flush().  The submissions of one burst
//    of messages go to the kernel in one io_uring_submit, posted to run
//    after the burst.
//
// One volume, one connection, one thread: every call on the io_context's
// thread, which must outlive the applier.
#pragma once

#include "replication/apply_order.hpp"
#include "replication/buffer_pool.hpp"
#include "replication/clean_window.hpp"
#include "replication/message.hpp"
#include "util/range_set.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <liburing.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace hpsd::replication {

struct ApplierOptions {
	// Open the device with O_DIRECT (hpsd always; tests on a file system
	// without it turn it off).
	bool direct = true;
	// The io_uring's submission queue: the most writes and fsyncs in the
	// kernel at once; more wait in the applier's queue.
	unsigned queue_depth = 128;
	// ApplyOrder's window: at least the primary's outstanding-write limit.
	std::size_t window = ApplyOrder::default_window;
	// Released data buffers kept for reuse, in bytes.
	std::size_t keep_buffer_bytes = BufferPool::default_keep_bytes;
	// How long stop() waits for the io in flight (see stop()).
	std::chrono::milliseconds stop_timeout{30000};
	// Writes remembered for CLEAN (CleanWindow's capacity).
	std::size_t clean_window = CleanWindow::default_capacity;
};

// Marks whole blocks inside the ranges clean in the device's pool
// (WB_CLEAN): 0 or a negative errno.
using MarkClean = std::function<int(const std::vector<hps::ByteRange>& ranges)>;

// Where the answers go; both called on the io_context's thread.  Either
// may call stop(), or even destroy the applier.
struct ApplierSink {
	std::function<void(const WriteAck&)> write_ack; // a WRITE or DISCARD is applied
	std::function<void(const FlushAck&)> flush_ack; // a FLUSH is committed
};

// For status.  Every count is of completed work.
struct ApplierCounters {
	std::uint64_t writes = 0;      // WRITEs acked (live and resync, failed ones included)
	std::uint64_t write_bytes = 0; // bytes written to the device by them
	std::uint64_t discards = 0;    // DISCARDs acked
	std::uint64_t discard_bytes = 0;
	std::uint64_t flushes = 0;		// FLUSH_ACKs sent
	std::uint64_t resync_bytes_written = 0; // of resync WRITEs and DISCARDs, on the device
	std::uint64_t resync_bytes_skipped = 0; // of them, left alone: live data covered them
	std::uint64_t errors = 0;		// acks (either kind) with a non-zero status
	std::uint64_t cleans = 0;		// CLEANs answered
	std::uint64_t clean_bytes = 0;		// of their ranges, handed to MarkClean
	std::uint64_t clean_kept_bytes = 0;	// left dirty: written since, failed, in flight
	std::uint64_t clean_ignored_bytes = 0;	// left dirty: older than the window
	std::uint64_t clean_errors = 0;		// MarkClean failed
};

class ReplicaApplier {
public:
	// Opens `device` (a block device or, in tests, a regular file) for
	// writing and sets up the ring.  `volume`: the id every message must
	// carry; `first_seq`: the RESYNC_BEGIN's.  Errors are one line naming
	// the device or the option at fault.
	static hps::Result<std::unique_ptr<ReplicaApplier>, std::string>
	open(boost::asio::io_context& io, const std::filesystem::path& device, std::uint32_t volume,
	     std::uint64_t first_seq, ApplierOptions options, ApplierSink sink);

	// Only open() can make the key: an applier always has its device and ring.
	class Key {
		friend class ReplicaApplier;
		Key() = default;
	};
	ReplicaApplier(Key, boost::asio::io_context& io, hps::UniqueFd device, bool block_device,
		       std::uint32_t volume, std::uint64_t first_seq, const ApplierOptions& options,
		       ApplierSink sink);
	// stop(), then frees the rest.
	~ReplicaApplier();
	ReplicaApplier(const ReplicaApplier&) = delete;
	ReplicaApplier& operator=(const ReplicaApplier&) = delete;

	// A message arrived.  An error is a protocol error (another volume's
	// message, a duplicate seq, a seq or FLUSH too far ahead, a misaligned
	// range) or the applier stopped: one line naming the field and value;
	// the caller closes the connection.  Nothing of a refused message is
	// kept.
	hps::Result<void, std::string> write(const Write& w);
	hps::Result<void, std::string> discard(const Discard& d);
	hps::Result<void, std::string> flush(const Flush& f);

	// A CLEAN: marks clean what may be (see the top) and returns the
	// CLEAN_ACK's status (0, or MarkClean's errno).  An error is a
	// protocol error, as for write().
	hps::Result<std::uint32_t, std::string> clean(const Clean& c, const MarkClean& mark);

	// RESYNC_BEGIN with bytes_planned > 0: live writes from now on are
	// recorded, and resync writes skip what they cover.
	void begin_resync();
	// RESYNC_END: the window closes once every resync write that arrived
	// inside it was issued; a resync write arriving later is written whole.
	void end_resync();
	// Live writes are being recorded: between begin_resync() and
	// end_resync(), and after it until the window's resync ops are issued.
	bool resync_window_open() const noexcept { return window_open_ || skipping_unissued_ > 0; }

	ApplierCounters counters() const noexcept { return counters_; }
	// WRITEs and DISCARDs arrived and not yet acked.
	std::size_t pending() const noexcept { return ops_.size(); }

	// Stops: no callback is called from now on, and no message accepted.
	// Waits, at most options.stop_timeout, for the writes and fsyncs in the
	// kernel to complete, since the kernel may still read their buffers
	// (O_DIRECT: the device's DMA reads them).  Should a device hang past
	// that, the buffers of what is still in flight are deliberately leaked,
	// never freed under the kernel.  Unacked writes are the primary's to
	// handle, as on any connection loss.  Idempotent.
	void stop();
	bool stopped() const noexcept { return stopped_; }

private:
	enum class OpKind : std::uint8_t { write, discard };

	// A WRITE or DISCARD from arrival to ack.
	struct Op {
		OpKind kind = OpKind::write;
		std::uint64_t offset = 0;
		std::uint64_t length = 0;
		bool fua = false;
		bool resync = false;
		bool skip_live = false; // a resync op that arrived in the window
		AlignedBuffer data;	// a write's copy of its data
		unsigned pieces_left = 0;
		std::uint32_t status = 0; // the first error of its pieces
	};

	// One submission: a piece of a write, or an fsync answering flushes.
	struct Io {
		enum class Kind : std::uint8_t { piece, fsync } kind = Kind::piece;
		std::uint64_t seq = 0;	  // piece: its op
		std::uint64_t offset = 0; // piece: on the device
		const std::byte* data = nullptr;
		std::uint32_t length = 0;
		bool fua = false;
		std::vector<std::uint64_t> up_tos; // fsync: the FLUSHes it answers
	};

	hps::Result<void, std::string> setup_ring(unsigned queue_depth);
	// Past the message's own checks: ApplyOrder, the resync window, then
	// whatever became ready.
	hps::Result<void, std::string> arrive(const char* what, std::uint64_t seq, Op op);

	// Hands out what ApplyOrder released: writes to the ring's queue,
	// discards and writes with nothing left to write to sync_ready_,
	// flushes to one fsync.
	void dispatch(const ApplyOrder::Ready& ready);
	void issue(std::uint64_t seq);
	void schedule_kick();
	// The rest of a burst: synchronous ops, then one submission.  false:
	// stopped or destroyed by a callback; touch nothing more.
	bool kick();
	bool run_sync_ready();
	void submit();
	void arm_wait();
	void on_ring_event();
	bool complete(Io io, int res);
	// Acks op `seq` and tells ApplyOrder.  false as for kick().
	bool finish(std::uint64_t seq);
	std::uint32_t discard_range(hps::ByteRange r);
	void leak_in_flight_buffers();

	boost::asio::io_context& io_;
	hps::UniqueFd device_;
	bool block_device_;
	std::uint32_t volume_;
	ApplierOptions options_;
	ApplierSink sink_;
	ApplyOrder order_;
	BufferPool pool_;
	hps::RangeSet live_; // what live writes covered in the resync window
	CleanWindow clean_window_;

	bool window_open_ = false;
	std::size_t skipping_unissued_ = 0; // resync ops of the window not yet issued

	std::map<std::uint64_t, Op> ops_;  // arrived, not acked, by seq
	std::deque<std::uint64_t> sync_ready_; // ops to complete without the ring
	std::deque<Io> queued_;		   // ready, waiting for room in the ring
	std::unordered_map<std::uint64_t, Io> in_flight_; // by user_data
	std::uint64_t next_token_ = 1;

	io_uring ring_{};
	bool ring_ready_ = false;
	unsigned capacity_ = 0;	   // ios in the ring at once
	unsigned unsubmitted_ = 0; // SQEs prepared, not yet taken by the kernel
	boost::asio::posix::stream_descriptor wake_; // the ring's eventfd
	boost::asio::steady_timer retry_;	     // a failed io_uring_submit again
	bool retry_armed_ = false;
	bool kick_posted_ = false;

	ApplierCounters counters_;
	bool stopped_ = false;
	// Posted handlers hold a weak_ptr to it: an expired one means the
	// applier is gone and the handler must not touch it.
	std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

} // namespace hpsd::replication
