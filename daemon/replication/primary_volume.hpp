// SPDX-License-Identifier: GPL-2.0-only
// One volume on its primary: sends the kernel's REPLICATE and REPL_FLUSH
// requests (and drops for what went to RBD) to the peer, completes them
// once the peer has them, and keeps the volume's copy on the peer whole
// across losses of the link.
//
// States (status() shows them):
//   degraded  — no link, or the peer refused the volume: writes complete at
//               once and their blocks go into the change log;
//   attaching — ATTACH sent on a new link, waiting for ATTACH_ACK;
//   resyncing — the barrier passed, RESYNC_BEGIN sent: live writes go to
//               the peer with seqs, and the change log's blocks are read
//               from this node's volume and sent as resync WRITEs;
//   in_sync   — the change log is empty and RESYNC_END went out.
//
// Why a barrier: a write the kernel handed over while degraded may not be on
// this node's cache device yet when the resync reads its block, and the
// stale read would then reach the peer.  Suspending the volume's dm device
// (noflush) waits for every bio in flight, so every degraded-time write is
// local before the first resync read; the switch to live happens while the
// device is suspended.  Live writes that race a resync read are handled by
// the peer (PROTOCOL.md, "The secondary's applier": resync data never
// overwrites a live write's sectors).
//
// Protocol C bookkeeping is AckTracker's; a request completes when the
// peer acked every part of it and the link let go of its data (the data
// is the kernel's channel buffer, which must not be reused before).
//
// One thread: the io_context's, like the Link.
#pragma once

#include "replication/ack_tracker.hpp"
#include "replication/change_log.hpp"
#include "replication/clean_gate.hpp"
#include "replication/link.hpp"
#include "replication/link_settings.hpp"
#include "replication/buffer_pool.hpp"
#include "replication/rate_limiter.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hpsd::replication {

enum class ReplicaState : std::uint8_t { degraded, attaching, resyncing, in_sync };
std::string_view to_string(ReplicaState state) noexcept;

// A request's end: 0 or a negative errno, as the kernel sees it, or
// result_give_back.
using Done = std::function<void(int result)>;

// Not an end: the request goes back to the kernel unanswered, which hands
// it to the next hpsd (the channel's result_requeue, the same value).
inline constexpr int result_give_back = INT_MIN;

struct PrimaryVolumeInfo {
	std::uint32_t id = 0;
	std::string name;
	std::string image;
	std::uint64_t size_bytes = 0;
	std::uint32_t block_bytes = 4096;
	std::string peer; // the replica's node
};

enum class OutdatedRecord : std::uint8_t { recorded, fenced, failed };

// What the primary knows of its peer's copy when replication takes the
// volume on.
enum class PeerCopy : std::uint8_t {
	// The volume was just created: the peer lacks nothing yet.
	empty,
	// hpsd restarted with the volume's kernel device kept, and Ceph
	// records no outdated copy: every write this node completed reached
	// the peer (or the record would say otherwise).  If the peer answers
	// ATTACH with `kept` (secondary_volume.hpp) only what changed since
	// is resynced; else the whole volume.
	kept_if_peer_agrees,
	// Nothing is known (a promotion, the node rebooted, Ceph said
	// nothing): the first resync sends the whole volume.
	unknown,
};

// What the volume needs from hpsd around it.
struct PrimaryVolumeHooks {
	// Runs `switch_live` on the io thread while the volume's dm device is
	// suspended (noflush), then resumes it; `done` gets "" or why the
	// barrier failed (then `switch_live` did not run).  Must not block the
	// io thread: suspending waits for writes that need it.
	std::function<void(std::function<void()> switch_live, std::function<void(std::string)> done)>
		barrier;
	// Reads [offset, offset + into.size()) of this node's volume device
	// (O_DIRECT); `done(0 or -errno)` on the io thread.
	std::function<void(std::uint64_t offset, std::span<std::byte> into,
			   std::function<void(int)> done)>
		read;
	// This volume closed the link (a failed resync read, a failed
	// barrier): the owner tells every volume of the link it is lost.
	std::function<void(const std::string& reason)> link_failed;
	// Records in Ceph that the peer's copy is outdated, and checks this
	// node may still write there; called before the first request
	// completes without the peer, which waits for the answer (on the io
	// thread).  Without that record a promotion of the peer -- which holds
	// everything up to the loss -- would silently drop what this node
	// completed alone.  `fenced`: this node was replaced (blocklisted):
	// such requests fail.  `failed` (Ceph away): asked again in a second.
	// Unset: requests complete without the peer at once.
	std::function<void(std::function<void(OutdatedRecord result, std::string why)> done)>
		record_outdated;
	// The peer is in sync again: the record can go.
	std::function<void()> clear_outdated;
	LogFn log;
};

struct PrimaryVolumeStatus {
	ReplicaState state = ReplicaState::degraded;
	std::string peer;
	std::chrono::system_clock::time_point degraded_since{};
	std::uint64_t changed_bytes = 0; // in the change log
	std::uint64_t resync_planned = 0;
	std::uint64_t resync_sent = 0;
	std::uint64_t resync_acked = 0;
	std::uint64_t resync_rounds = 0;
	// The latest round's time from RESYNC_BEGIN to the last ack (so far,
	// while it runs): with resync_acked, its rate.
	std::chrono::milliseconds resync_elapsed{0};
	std::uint64_t writes_replicated = 0;
	std::uint64_t writes_degraded = 0; // completed without the peer
	std::uint64_t peer_errors = 0;	   // acks with a non-zero status
	std::string last_error;
	// CLEAN (writeback's clean marks for the peer): sent, acked (of them
	// with an error), and bytes written back that no CLEAN told the peer
	// (the link or the copy changed since writeback took them).
	std::uint64_t clean_batches = 0;
	std::uint64_t clean_bytes = 0;
	std::uint64_t clean_acks = 0;
	std::uint64_t clean_errors = 0;
	std::uint64_t clean_dropped_bytes = 0;
};

class PrimaryVolume {
public:
	PrimaryVolume(boost::asio::io_context& io, PrimaryVolumeInfo info, PrimaryVolumeHooks hooks,
		      unsigned recovery_mbps, PeerCopy peer_copy);
	~PrimaryVolume();
	PrimaryVolume(const PrimaryVolume&) = delete;
	PrimaryVolume& operator=(const PrimaryVolume&) = delete;

	const PrimaryVolumeInfo& info() const noexcept { return info_; }

	// The kernel's requests.  `data` stays valid until `done` is called.
	void replicate(std::uint64_t offset, std::span<const std::byte> data, bool fua, Done done);
	void flush(Done done);
	// A write or discard of [offset, offset + length) went to RBD: the
	// peer's copy of those blocks is stale and must go.
	void drop(std::uint64_t offset, std::uint64_t length, Done done);

	// A link to the peer is up: attach over it.
	void link_up(std::shared_ptr<Link> link);
	// The link is gone (lost, closed, or a protocol error here).
	void link_lost(const std::string& reason);
	// The link has room again.
	void writable();
	// hpsd stops (after link_lost): requests waiting for the outdated
	// record are given back (result_give_back) -- completing them
	// without the record would let a promotion of the peer drop them.
	void stop();

	// The peer's answers for this volume.  An error is a protocol error:
	// the caller closes the link (then calls link_lost).
	hps::Result<void, std::string> on_message(const Message& message);

	// Writeback wrote [offset, offset + length) of each range to RBD and
	// flushed it; `mark` is what the gate said right after WB_TAKE.  Sends
	// CLEANs (at most max_clean_entries ranges each) if the gate's token
	// is still mark.token, else drops them (PROTOCOL.md, "Clean-mark
	// propagation").  Ranges are whole blocks, as the kernel hands them.
	void clean(CleanMark mark, const std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges);
	// Read from writeback's thread (see clean_gate.hpp); lives as long as
	// any holder.
	std::shared_ptr<const CleanGate> clean_gate() const noexcept { return gate_; }

	// A write or flush has waited longer than this for the peer: the
	// caller closes the link.
	std::optional<std::chrono::steady_clock::time_point> oldest_wait() const noexcept;

	PrimaryVolumeStatus status() const;

private:
	enum class Kind : std::uint8_t { live, drop, resync };
	struct Pending {
		Kind kind = Kind::live;
		std::uint64_t offset = 0;
		std::uint64_t length = 0;
		std::span<const std::byte> data; // live: the kernel's buffer
		bool fua = false;
		Done done;
		std::vector<std::uint64_t> seqs; // one per part (WRITE frame)
		unsigned acks_left = 0;
		unsigned releases_left = 0;	 // frames the link still reads
		AlignedBuffer buffer;		 // resync: what was read
		bool reading = false;		 // resync: the read is in flight
		bool sent = false;		 // resync: read done, frames queued
		bool abandoned = false;		 // resync: the link went meanwhile
		bool without_peer = false;	 // live: the peer does not have it
	};
	// A request that waits for room (AckTracker full, frames queued).
	struct Blocked {
		Kind kind = Kind::live;
		std::uint64_t offset = 0;
		std::uint64_t length = 0;
		std::span<const std::byte> data;
		bool fua = false;
		bool flush = false;
		Done done;
	};
	// A frame the link refused for lack of room, sent on writable().
	struct Outgoing {
		Message message;
		std::optional<std::uint64_t> cookie; // a WRITE's request
	};

	bool live() const noexcept
	{
		return state_ == ReplicaState::resyncing || state_ == ReplicaState::in_sync;
	}
	unsigned parts_of(const Blocked& request) const;
	bool has_room(const Blocked& request) const;
	void start_live(Blocked request);
	void issue(Blocked request);
	void assign_seqs(std::uint64_t cookie, Pending& p, unsigned parts);
	void send_parts(std::uint64_t cookie, Pending& p, unsigned parts);
	void queue_send(Message message, std::optional<std::uint64_t> cookie);
	void drain_outbox();
	void released(std::uint64_t cookie);
	void settle(std::uint64_t cookie);
	void unblock();
	void begin_round();
	void pump_resync();
	void read_done(std::uint64_t cookie, int result);
	void maybe_end_round();
	void fail_link(const std::string& reason);
	// Completes a request the peer does not have, once Ceph says the
	// peer's copy is outdated (hooks_.record_outdated).
	void complete_without_peer(Done done);
	void record_outdated();
	void outdated_answer(OutdatedRecord result, const std::string& why);
	void update_gate();
	void log(LogLevel level, const std::string& line) const;
	std::uint64_t expand_start(std::uint64_t offset) const noexcept;
	std::uint64_t expand_end(std::uint64_t end) const noexcept;

	boost::asio::io_context& io_;
	PrimaryVolumeInfo info_;
	PrimaryVolumeHooks hooks_;
	ChangeLog changes_;
	// Blocks the peer refused during this resync round: marked into
	// changes_ when the round ends, for the next one (marking them now
	// would send them again within the round, where the peer still
	// skips the live-written sectors that made them fail).
	std::vector<std::pair<std::uint64_t, std::uint64_t>> retry_; // [start, end)
	RateLimiter limiter_;
	// A run taken from the change log that waits for the recovery limit.
	std::optional<ChangeLog::Run> deferred_;
	boost::asio::steady_timer resync_timer_;
	bool resync_timer_armed_ = false;

	ReplicaState state_ = ReplicaState::degraded;
	std::shared_ptr<Link> link_;
	std::uint64_t generation_ = 0; // bumped on every link change
	bool round_pending_ = false;   // a barrier is under way
	bool stopped_ = false; // stop(): nothing completes without the peer
	// PeerCopy::kept_if_peer_agrees until the first ATTACH_ACK says.
	bool ask_peer_kept_ = false;
	AckTracker tracker_;
	std::map<std::uint64_t, Pending> pending_; // by cookie
	std::map<std::uint64_t, Done> flushes_;	   // by cookie
	std::map<std::uint64_t, std::pair<std::uint64_t, unsigned>> seq_part_; // seq -> cookie, part
	// Acked by the peer but not yet covered by a FLUSH_ACK (its metadata
	// commit): a power loss there may drop them, so a lost link resyncs
	// them too.  seq -> (offset, length).
	std::map<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>> unflushed_;
	std::uint64_t next_cookie_ = 1;
	std::deque<Blocked> blocked_;
	std::deque<Outgoing> outbox_;
	std::size_t resync_in_flight_ = 0;

	// Whether Ceph holds the record that the peer's copy is outdated.
	enum class Outdated : std::uint8_t { unknown, recording, recorded, fenced };
	Outdated outdated_ = Outdated::unknown;
	std::vector<Done> without_peer_; // waiting for that record
	boost::asio::steady_timer outdated_timer_;
	std::shared_ptr<CleanGate> gate_ = std::make_shared<CleanGate>();
	std::uint64_t clean_epoch_ = 0; // the gate's last token
	std::uint64_t next_clean_batch_ = 1;

	PrimaryVolumeStatus stats_;
	std::chrono::steady_clock::time_point round_started_{};
	std::chrono::system_clock::time_point degraded_since_;
	std::shared_ptr<bool> alive_;
};

} // namespace hpsd::replication
