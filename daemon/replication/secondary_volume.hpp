// SPDX-License-Identifier: GPL-2.0-only
// One volume on its secondary, for one link: answers ATTACH by bringing up
// the local copy (role `secondary`), then hands the primary's WRITEs,
// DISCARDs and FLUSHes to a ReplicaApplier on that copy's device and sends
// the acks back.  A new link makes a new SecondaryVolume: what the old one
// had in flight is the primary's to resync (it never got the acks).
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
	std::function<int(const std::string& name, const std::vector<ByteRange>& ranges)>;

struct SecondaryVolumeStatus {
	std::string name;
	std::string peer;
	bool resyncing = false;
	ApplierCounters applier;
};

class SecondaryVolume {
public:
	// `mark_clean` answers the primary's CLEANs (none: they are answered
	// and nothing is marked).
	SecondaryVolume(boost::asio::io_context& io, std::shared_ptr<Link> link, LogFn log,
			const ApplierOptions& options, MarkSecondaryClean mark_clean = {});
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
	bool attached_ = false;
	bool resyncing_ = false;
	bool in_sync_ = false;
	std::unique_ptr<ReplicaApplier> applier_;
	std::deque<Message> outbox_;
	std::shared_ptr<bool> alive_;
};

} // namespace hpsd::replication
