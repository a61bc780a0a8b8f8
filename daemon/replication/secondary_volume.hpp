// SPDX-License-Identifier: GPL-2.0-only
// One volume on its secondary, for one link: answers ATTACH by bringing up
// the local copy (role `secondary`), then hands the primary's WRITEs,
// DISCARDs and FLUSHes to a ReplicaApplier on that copy's device and sends
// the acks back.  A new link makes a new SecondaryVolume: what the old one
// had in flight is the primary's to resync (it never got the acks).
//
// The ATTACH_ACK says the copy was **kept** when it was in sync as the last
// link from this primary ended, this hpsd has run since (which is why it
// knows), and the copy's device commits (fsync) before the answer: then it
// holds, durably, every write that primary completed while the link was
// up.  A primary whose hpsd restarted with its kernel state kept resyncs
// only what changed since instead of the whole volume (PROTOCOL.md).
//
// One thread: the io_context's, like the Link.
#pragma once

#include "replication/link.hpp"
#include "replication/link_settings.hpp"
#include "replication/replica_applier.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace hpsd::replication {

// Brings up this node's copy of an attached volume: the device path, or a
// positive errno for ATTACH_ACK (and a log line saying why).
using EnsureSecondary =
	std::function<hps::Result<std::filesystem::path, int>(const Attach& attach, const std::string& peer)>;

// Marks whole blocks inside the ranges of this node's copy `name` clean
// (WB_CLEAN): 0 or a negative errno.
using MarkSecondaryClean =
	std::function<int(const std::string& name, const std::vector<hps::ByteRange>& ranges)>;

struct SecondaryVolumeStatus {
	std::string name;
	std::string peer;
	bool resyncing = false;
	ApplierCounters applier;
};

class SecondaryVolume {
public:
	// `mark_clean` answers the primary's CLEANs (none: they are answered
	// and nothing is marked).  `was_in_sync`: this hpsd saw the copy in
	// sync when the last link from the same primary ended.
	SecondaryVolume(boost::asio::io_context& io, std::shared_ptr<Link> link, LogFn log,
			const ApplierOptions& options, MarkSecondaryClean mark_clean = {},
			bool was_in_sync = false);
	~SecondaryVolume();
	SecondaryVolume(const SecondaryVolume&) = delete;
	SecondaryVolume& operator=(const SecondaryVolume&) = delete;

	// A message of this volume from the primary.  An error is a protocol
	// error: the caller closes the link.
	hps::Result<void, std::string> on_message(const Message& message, const EnsureSecondary& ensure);

	// The link has room again: sends the acks that waited.
	void writable();

	SecondaryVolumeStatus status() const;

	// The volume's name once ATTACHed; empty before.
	const std::string& name() const noexcept { return name_; }
	// This copy holds every write the primary completed: the last resync
	// ended well (or had nothing to send) and the link has been live
	// since.  What a promotion needs.
	bool in_sync() const noexcept { return in_sync_; }

private:
	void send(Message message);
	void log(LogLevel level, const std::string& line) const;

	boost::asio::io_context& io_;
	std::shared_ptr<Link> link_;
	LogFn log_;
	ApplierOptions options_;
	MarkSecondaryClean mark_clean_;
	std::string name_;
	std::filesystem::path device_;
	bool was_in_sync_ = false;
	bool attached_ = false;
	bool resyncing_ = false;
	bool in_sync_ = false;
	std::unique_ptr<ReplicaApplier> applier_;
	std::deque<Message> outbox_;
	std::shared_ptr<bool> alive_;
};

} // namespace hpsd::replication
