// SPDX-License-Identifier: GPL-2.0-only
// Pools and volumes on this node: hpsd's side of `hpsctl pool ...` and
// `hpsctl volume ...`.  Owns the dm client, the volume registry and the
// RBD image store; the control API (control/volume_methods.cpp) turns its
// answers into JSON.  Every operation either completes or leaves the node
// as it was (dm devices, registry, images), and says why in one line.
#pragma once

#include "api/error_code.hpp"
#include "dm/control.hpp"
#include "dm/hps_status.hpp"
#include "volume/image_store.hpp"
#include "volume/pool_layout.hpp"
#include "volume/registry.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hps::volume {

using ApiError = hps::api::ApiError;
template <class T>
using ApiResult = hps::Result<T, ApiError>;

// Where log lines go (hpsd's Logger), without tying this library to it.
struct LogSink {
	std::function<void(const std::string&)> info;
	std::function<void(const std::string&)> error;
};

struct PoolView {
	PoolSpec spec;
	bool active = false;
	std::string origin; // how hpsd got it: "formatted", "loaded", "adopted"
	std::string error;  // why it is not active
	std::optional<dm::PoolStatus> status;
	std::vector<std::string> volumes; // names, from the registry
};

struct VolumeView {
	VolumeRecord record;
	std::string device; // /dev/mapper/hps-<name>
	bool present = false;
	std::string error; // why the device is missing, or status failed
	std::optional<dm::VolumeStatus> status;
};

struct CreateRequest {
	std::string name;
	std::uint64_t size_bytes = 0;	   // validated by the caller (parse_size)
	std::optional<std::uint32_t> pool; // default: the active pool with fewest volumes
	// Replicate to this node (one of replication.peers): the volume is
	// created as this node's primary.  Empty: standalone.
	std::string replica_node;
};

// What a peer's ATTACH asks of this node: a secondary copy of its volume.
struct SecondaryRequest {
	std::string name;
	// The primary's id, which the copy takes too: ids are cluster-wide
	// (cluster_ids.hpp) and name the volume to compute hosts.
	std::uint32_t id = 0;
	std::uint64_t size_bytes = 0;
	std::string image;
	std::string peer; // the primary's node
};

struct CreateOutcome {
	VolumeView volume;
	bool created = false;	    // false: it existed with this size already
	bool image_created = false; // false: the RBD image existed (same size)
};

struct DeleteRequest {
	std::string name;
	bool force = false;	   // delete even with dirty blocks
	bool delete_image = false; // remove the RBD image too
};

struct PromoteRequest {
	std::string name;
	// Promote a copy not known to be in sync (after an hpsd restart here,
	// or cut off mid-resync): what the old primary had and this copy
	// lacks is lost.
	bool force = false;
};

struct PromoteOutcome {
	VolumeView volume;
	bool promoted = false;		      // false: this node was its primary already
	std::string fenced_node;	      // whose lock was broken
	std::vector<std::string> fenced_addresses; // the Ceph clients blocklisted
};

// What a volume change means to replication (on_volume_change): demoted is
// a primary found replaced by another node (now that node's secondary).
enum class VolumeChange { created, promoted, demoted, deleted };

struct DeleteOutcome {
	VolumeRecord record;
	std::optional<std::uint64_t> dirty_blocks; // what was discarded with --force
	bool image_deleted = false;
	// The pool forgot the volume's blocks and volume-table slot
	// (release_volume); else why not (retried later, see Service).
	bool pool_released = false;
	std::string release_error;
};

class Service {
public:
	// `node`: this node's name, in the RBD lock of the images it is
	// primary of (ownership.hpp).  `peers`: the nodes a volume may be
	// replicated to (replication.peers).
	Service(std::filesystem::path state_dir, std::vector<PoolSpec> pools,
		std::unique_ptr<ImageStore> images, LogSink log, std::string node = {},
		std::vector<std::string> peers = {});

	// At hpsd start: open dm, load the registry, bring up every pool
	// (adopt a live device, else load, formatting only an empty device),
	// then every registered volume.  A replicated primary first claims
	// its RBD image (ownership.hpp): when another node took it meanwhile
	// (a promotion while this node was away), this node's copy becomes
	// that node's secondary -- never written back, and replaced by its
	// resync; when Ceph cannot say, the device stays down and the claim
	// is retried with the next volume request.  Failures are logged and
	// shown by pool.list / volume.list; hpsd keeps running.  Fails only
	// when the registry cannot be read (hpsd must not hand out ids twice).
	hps::Result<void, std::string> start();

	std::vector<PoolView> list_pools();
	ApiResult<PoolView> show_pool(std::uint32_t id);

	std::vector<VolumeView> list_volumes();
	ApiResult<VolumeView> show_volume(const std::string& name);
	ApiResult<CreateOutcome> create_volume(const CreateRequest& request);
	ApiResult<DeleteOutcome> delete_volume(const DeleteRequest& request);
	// Makes this node's secondary copy the primary, using the dirty data
	// it holds (no flush to Ceph first): checks with replication that
	// the copy may be promoted (on_promote_check), takes the RBD image
	// from the old primary -- blocklisting its Ceph clients -- then
	// switches the kernel role.  Idempotent: promoting a primary that
	// holds its image succeeds with promoted = false.
	ApiResult<PromoteOutcome> promote_volume(const PromoteRequest& request);

	// A peer's ATTACH: the secondary copy's device path, made the first
	// time (no RBD image is created: the primary has it), adopted or
	// brought up after that.  Refused (a positive errno and a log line)
	// when this node has a volume of that name that is not a secondary
	// of that peer with that size: EEXIST; no active pool: ENOSPC.
	hps::Result<std::filesystem::path, int> ensure_secondary(const SecondaryRequest& request);

	// Registered volumes, for the replication manager at start.
	const std::vector<VolumeRecord>& records() const noexcept { return registry_.volumes(); }
	// A replicated primary this hpsd claimed and found alive in the
	// kernel (its dm device adopted, not made): the cache holds every
	// write the node's last hpsd completed.
	bool kept_by_kernel(const std::string& name) const { return kept_by_kernel_.count(name) != 0; }

	// Told of a primary volume created (fresh) or promoted here, of one
	// found replaced at a late claim (demoted), and of any volume deleted,
	// after the registry was saved.
	void on_volume_change(std::function<void(const VolumeRecord&, VolumeChange)> change)
	{
		volume_change_ = std::move(change);
	}

	// Told after every change of the registry, whatever its cause (a
	// volume created, a secondary made by a peer's ATTACH, a promotion, a
	// demotion at a late claim, a delete): export keeps nvmet in step.
	void on_records_changed(std::function<void()> changed) { records_changed_ = std::move(changed); }

	// Asked before a promotion: may this secondary copy become the
	// primary (replication knows whether it is in sync and whether its
	// primary is still connected)?  An error says why not.  Unset: yes.
	void on_promote_check(
		std::function<hps::Result<void, std::string>(const VolumeRecord&, bool force)> check)
	{
		promote_check_ = std::move(check);
	}

	// Called on a volume's delete once its device is gone, before its
	// image is removed (or kept): whoever holds a share of the image in
	// hpsd's RBD session releases it, so that the image is closed, as
	// RBD refuses to remove an image with watchers.
	void on_image_release(std::function<void(const VolumeRecord&)> release)
	{
		release_image_ = std::move(release);
	}

private:
	struct Pool {
		PoolSpec spec;
		bool active = false;
		std::string origin;
		std::string error;
	};

	Pool* find_pool(std::uint32_t id);
	void start_pool(Pool& pool);
	hps::Result<std::string, std::string> bring_up_pool(const PoolSpec& spec);
	// The active pool with the fewest volumes (ties: the lowest id).
	const Pool* least_used_pool() const;
	// Makes the volume's dm device exist with its table; "adopted" or
	// "created".
	hps::Result<std::string, std::string> bring_up_volume(const VolumeRecord& record);
	PoolView view(const Pool& pool);
	VolumeView view(const VolumeRecord& record);
	hps::Result<dm::Control*, std::string> control();
	// `release_volume <id> [force]` on the pool device; an empty string
	// when done (or the pool never had the volume).
	std::string release(std::uint32_t pool_id, std::uint32_t volume_id, bool force);
	void retry_releases();
	// Claims a replicated primary's image at start (see start()); brings
	// the volume up as what it turns out to be.  False when Ceph could not
	// be asked (the volume is left unclaimed).  `ceph_away`: an earlier
	// claim found Ceph away; this one is left unclaimed without asking
	// (each try may wait out a connect timeout).
	bool claim_and_bring_up(const VolumeRecord& record, bool ceph_away = false);
	void retry_claims();
	// A dm message to the volume's live device (kmod/FORMAT.md).
	hps::Result<void, std::string> kernel_message(const VolumeRecord& record,
						      const std::string& text);
	// `role R` to the volume's live device.
	hps::Result<void, std::string> set_kernel_role(const VolumeRecord& record);
	// `lease L` to the volume's live device (kmod/FORMAT.md): "0" holds
	// every new bio until the lease keeper renews it (a promotion: the
	// old primary may still serve meanwhile), "off" serves again.
	hps::Result<void, std::string> set_kernel_lease(const VolumeRecord& record,
							std::string_view lease);
	// Saves the registry with `record` replacing the one of its name.
	hps::Result<void, std::string> update_record(const VolumeRecord& record);

	std::filesystem::path state_dir_;
	std::vector<Pool> pools_;
	std::unique_ptr<ImageStore> images_;
	std::function<void(const VolumeRecord&)> release_image_;
	std::function<void(const VolumeRecord&, VolumeChange)> volume_change_;
	std::function<void()> records_changed_;
	// Makes `updated` the registry (saved already) and tells
	// on_records_changed.
	void commit(Registry updated);
	std::function<hps::Result<void, std::string>(const VolumeRecord&, bool)> promote_check_;
	LogSink log_;
	std::string node_;
	std::vector<std::string> peers_;
	// Replicated primaries whose image claim failed at start (Ceph away):
	// name -> why; their devices stay down until a retry succeeds.
	std::map<std::string, std::string> unclaimed_;
	std::set<std::string> kept_by_kernel_;
	std::chrono::steady_clock::time_point last_claim_retry_{};
	Registry registry_;
	std::optional<dm::Control> dm_;
	std::string dm_error_;
	// Deleted volumes whose pool refused release_volume (EBUSY: blocks
	// still under writeback after a forced delete, the pool down):
	// retried at the next pool/volume request.  Not persisted: after an
	// hpsd restart the slot stays taken (ids are never reused, so it only
	// costs the slot and its key range).
	struct PendingRelease {
		std::uint32_t pool_id = 0;
		std::uint32_t volume_id = 0;
		bool force = false;
	};
	std::vector<PendingRelease> pending_releases_;
};

} // namespace hps::volume
