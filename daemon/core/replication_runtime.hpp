// SPDX-License-Identifier: GPL-2.0-only
// Replication inside hpsd: the manager (replication/manager.hpp) with what
// it needs from the rest of the daemon — the volume service for the
// secondaries' copies, the resync barrier, io_uring reads of the primaries'
// devices — and the channel backend told which volumes replicate.
#pragma once

#include "api/codec.hpp"
#include "config/config.hpp"
#include "core/lease_keeper.hpp"
#include "core/log.hpp"
#include "core/replica_cleaner.hpp"
#include "core/replicating_backend.hpp"
#include "core/serial_worker.hpp"
#include "core/volume_barrier.hpp"
#include "replication/manager.hpp"
#include "volume/service.hpp"
#include "writeback/ioctl_kernel.hpp"
#include "writeback/uring_reader.hpp"

#include <boost/asio/io_context.hpp>

#include <map>
#include <memory>

namespace hpsd {

class ReplicationRuntime {
public:
	// Never fatal: when replication cannot start (no secret, a bad
	// listen address) it logs why, and primaries answer REPLICATE with an
	// error rather than claim a copy.  Registers the service's primary
	// volumes with the manager and the backend.  `images`: the RBD side
	// of the outdated-peer record (ownership.hpp), used from the
	// runtime's own worker thread; it outlives the runtime.  `ioctl`
	// reaches the channel (WB_CLEAN of the secondaries; none: nothing is
	// marked).
	static std::unique_ptr<ReplicationRuntime> start(boost::asio::io_context& io,
							 const Config& config,
							 hps::volume::Service& volumes,
							 hps::volume::ImageStore& images,
							 ReplicatingBackend& backend, Logger& log,
							 writeback::ChannelIoctl ioctl = {});

	class Key {
		friend class ReplicationRuntime;
		Key() = default;
	};
	ReplicationRuntime(Key, boost::asio::io_context& io, const Config& config,
			   hps::volume::Service& volumes, hps::volume::ImageStore& images,
			   ReplicatingBackend& backend, Logger& log);
	~ReplicationRuntime();
	ReplicationRuntime(const ReplicationRuntime&) = delete;
	ReplicationRuntime& operator=(const ReplicationRuntime&) = delete;

	// volume.show's "replica" (PROTOCOL.md); null for a non-primary.
	hps::api::Json replica_json(const hps::volume::VolumeRecord& record) const;
	// May this node's secondary copy be promoted (Service::on_promote_check)?
	hps::Result<void, std::string> promote_check(const hps::volume::VolumeRecord& record,
						     bool force) const;
	// replication.status's result.
	hps::api::Json status_json() const;
	// Writeback's clean marks for the primaries' peers; outlives the
	// writeback engine (destroyed before this).
	writeback::ReplicaCleaner* cleaner() noexcept { return &cleaner_; }

	// Closes the links; requests still waiting complete as on a lost
	// peer.  Call on the io thread before it stops.  Idempotent.
	void stop();

private:
	// Service's volume changes: replication's primaries and the leases.
	void watch_volumes();
	replication::ManagerHooks hooks();
	void add(const hps::volume::VolumeRecord& record, replication::PeerCopy peer_copy);
	// What a primary registered at start knows of its peer's copy
	// (replication::PeerCopy): kept_if_peer_agrees when the kernel kept
	// the volume and Ceph records no outdated copy.
	replication::PeerCopy peer_copy_at_start(const hps::volume::VolumeRecord& record);
	const hps::volume::VolumeRecord* find_record(std::uint32_t volume) const;
	void read(std::uint32_t volume, std::uint64_t offset, std::span<std::byte> into,
		  std::function<void(int)> done);
	int mark_clean(const std::string& name, const std::vector<hps::ByteRange>& ranges);

	boost::asio::io_context& io_;
	const Config& config_;
	hps::volume::Service& volumes_;
	ReplicatingBackend& backend_;
	Logger& log_;
	VolumeBarrier barrier_;
	std::unique_ptr<writeback::UringReader> reader_;
	std::unique_ptr<replication::Manager> manager_;
	std::map<std::uint32_t, writeback::CacheDevice> devices_; // volume id -> its dm device
	writeback::ChannelIoctl ioctl_;
	ReplicaCleanerBridge cleaner_;
	hps::volume::ImageStore& images_;
	// Asks Ceph on ceph_, which is destroyed first.
	LeaseKeeper lease_;
	// Last: destroyed first, so no Ceph call runs on a half-destroyed runtime.
	SerialWorker ceph_;
};

} // namespace hpsd
