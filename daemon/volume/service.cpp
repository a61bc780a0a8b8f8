// SPDX-License-Identifier: GPL-2.0-only
#include "volume/service.hpp"

#include "util/errno_text.hpp"
#include "util/unique_fd.hpp"
#include "volume/cluster_ids.hpp"
#include "volume/naming.hpp"
#include "volume/ownership.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

namespace hps::volume {
namespace {

using hps::api::ErrorCode;

hps::Unexpected<ApiError> api_fail(ErrorCode code, std::string message)
{
	return fail(ApiError{code, std::move(message)});
}

hps::Result<std::uint64_t, std::string> device_sectors(const std::string& path)
{
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd.valid())
		return fail("cannot open " + path + ": " + errno_text(errno));
	std::uint64_t bytes = 0;
	if (::ioctl(fd.get(), BLKGETSIZE64, &bytes) != 0)
		return fail("cannot get the size of " + path + ": " + errno_text(errno));
	return bytes / 512;
}

std::string mapper_path(const std::string& dm_name)
{
	return "/dev/mapper/" + dm_name;
}

dm::Target pool_target(const PoolSpec& spec, std::uint64_t sectors, bool format)
{
	std::string params = spec.device + " " + std::to_string(spec.id) + " " +
			     std::to_string(pool_block_sectors);
	if (format)
		params += " 1 format";
	return {0, sectors, "hps-pool", params};
}

dm::Target volume_target(const VolumeRecord& record)
{
	return {0, record.size_bytes / 512, "hps",
		mapper_path(pool_device_name(record.pool_id)) + " " + std::to_string(record.id) +
			" " + std::string(to_string(record.role))};
}

// The first word of a pool's canonical table is major:minor; the second
// its pool_id.
std::optional<std::uint32_t> table_pool_id(const std::string& params)
{
	auto space = params.find(' ');
	if (space == std::string::npos)
		return std::nullopt;
	auto rest = std::string_view(params).substr(space + 1);
	std::uint32_t id = 0;
	auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
	if (ec != std::errc{})
		return std::nullopt;
	return id;
}

} // namespace

Service::Service(std::filesystem::path state_dir, std::vector<PoolSpec> pools,
		 std::unique_ptr<ImageStore> images, LogSink log, std::string node,
		 std::vector<std::string> peers)
	: state_dir_(std::move(state_dir)), images_(std::move(images)), log_(std::move(log)),
	  node_(std::move(node)), peers_(std::move(peers))
{
	for (auto& spec : pools)
		pools_.push_back(Pool{std::move(spec), false, {}, "not started"});
}

hps::Result<dm::Control*, std::string> Service::control()
{
	if (dm_)
		return &*dm_;
	// dm_mod may be loaded after hpsd started: retry on every use.
	auto opened = dm::Control::open();
	if (!opened) {
		dm_error_ = opened.error().message;
		return fail(dm_error_);
	}
	dm_.emplace(std::move(opened).value());
	return &*dm_;
}

hps::Result<void, std::string> Service::start()
{
	auto loaded = Registry::load(state_dir_);
	if (!loaded)
		return fail(loaded.error());
	registry_ = std::move(loaded).value();
	for (auto& pool : pools_)
		start_pool(pool);
	// A copy: claim_and_bring_up may change a record.
	const std::vector<VolumeRecord> records = registry_.volumes();
	bool ceph_away = false;
	for (const auto& record : records)
		ceph_away = !claim_and_bring_up(record, ceph_away) || ceph_away;
	return {};
}

void Service::start_pool(Pool& pool)
{
	auto up = bring_up_pool(pool.spec);
	if (!up) {
		pool.active = false;
		pool.error = up.error();
		log_.error("pool " + std::to_string(pool.spec.id) + " on " + pool.spec.device + ": " +
			   pool.error);
		return;
	}
	pool.active = true;
	pool.origin = *up;
	pool.error.clear();
	log_.info("pool " + std::to_string(pool.spec.id) + " on " + pool.spec.device + ": " + *up +
		  " as " + mapper_path(pool.spec.dm_name));
}

hps::Result<std::string, std::string> Service::bring_up_pool(const PoolSpec& spec)
{
	auto dm = control();
	if (!dm)
		return fail(dm.error());
	auto info = (*dm)->info(spec.dm_name);
	if (!info)
		return fail(info.error().message);
	if (*info && (*info)->active_table) {
		// A restarted hpsd finds its pools alive: adopt, after checking
		// that the device really is this pool.
		auto table = (*dm)->table(spec.dm_name);
		if (!table)
			return fail(table.error().message);
		if (table->size() != 1 || (*table)[0].type != "hps-pool" ||
		    table_pool_id((*table)[0].params) != spec.id)
			return fail("live device " + spec.dm_name + " is not hps-pool " +
				    std::to_string(spec.id) + "; left alone");
		if (auto node = dm::ensure_node(spec.dm_name, (*info)->dev); !node)
			return fail(node.error());
		return std::string("adopted");
	}
	auto sectors = device_sectors(spec.device);
	if (!sectors)
		return fail(sectors.error());
	if (!*info) {
		if (auto created = (*dm)->create_device(spec.dm_name); !created)
			return fail(created.error().message);
	}
	// Never format implicitly: only a device the kernel says holds no pool
	// at all (ENODATA) gets one.  force_format is never used.
	std::string origin = "loaded";
	const dm::Target plain = pool_target(spec, *sectors, false);
	auto loaded = (*dm)->load_table(spec.dm_name, std::span(&plain, 1));
	if (!loaded && loaded.error().err == ENODATA) {
		const dm::Target format = pool_target(spec, *sectors, true);
		loaded = (*dm)->load_table(spec.dm_name, std::span(&format, 1));
		origin = "formatted";
	}
	auto resumed = loaded ? (*dm)->resume(spec.dm_name)
			      : dm::DmResult<dm::DeviceInfo>(fail(loaded.error()));
	if (!resumed) {
		(void)(*dm)->remove_device(spec.dm_name);
		return fail(resumed.error().message);
	}
	if (auto node = dm::ensure_node(spec.dm_name, resumed->dev); !node)
		return fail(node.error());
	return origin;
}

hps::Result<std::string, std::string> Service::bring_up_volume(const VolumeRecord& record)
{
	const Pool* pool = find_pool(record.pool_id);
	if (!pool)
		return fail("pool " + std::to_string(record.pool_id) + " is not configured");
	if (!pool->active)
		return fail("pool " + std::to_string(record.pool_id) + " is not active: " + pool->error);
	auto dm = control();
	if (!dm)
		return fail(dm.error());
	const std::string name = volume_device_name(record.name);
	auto info = (*dm)->info(name);
	if (!info)
		return fail(info.error().message);
	if (*info && (*info)->active_table) {
		auto status = (*dm)->status(name);
		if (!status)
			return fail(status.error().message);
		if (status->size() != 1 || (*status)[0].type != "hps")
			return fail("live device " + name + " is not an hps volume; left alone");
		auto parsed = dm::parse_volume_status((*status)[0].params);
		if (!parsed)
			return fail(parsed.error());
		if (parsed->volume_id != record.id)
			return fail("live device " + name + " has volume id " +
				    std::to_string(parsed->volume_id) + ", the registry " +
				    std::to_string(record.id) + "; left alone");
		if (auto node = dm::ensure_node(name, (*info)->dev); !node)
			return fail(node.error());
		return std::string("adopted");
	}
	if (*info) // a device without a table, left by a crash mid-create
		(void)(*dm)->remove_device(name);
	const dm::Target target = volume_target(record);
	auto created = (*dm)->create(name, std::span(&target, 1));
	if (!created)
		return fail(created.error().message);
	return std::string("created");
}

const Service::Pool* Service::least_used_pool() const
{
	const Pool* best = nullptr;
	std::size_t best_count = 0;
	for (const auto& candidate : pools_) {
		if (!candidate.active)
			continue;
		const auto count = static_cast<std::size_t>(std::count_if(
			registry_.volumes().begin(), registry_.volumes().end(),
			[&](const VolumeRecord& r) { return r.pool_id == candidate.spec.id; }));
		if (!best || count < best_count) {
			best = &candidate;
			best_count = count;
		}
	}
	return best;
}

hps::Result<std::filesystem::path, int> Service::ensure_secondary(const SecondaryRequest& request)
{
	retry_releases();
	const std::string what = "secondary of volume \"" + request.name + "\" for " + request.peer;
	if (auto ok = check_volume_name(request.name); !ok) {
		log_.error(what + ": " + ok.error());
		return hps::fail(EINVAL);
	}
	if (auto ok = check_size(request.size_bytes); !ok) {
		log_.error(what + ": " + ok.error());
		return hps::fail(EINVAL);
	}
	if (const VolumeRecord* existing = registry_.find_by_name(request.name)) {
		if (existing->role != VolumeRole::secondary || existing->peer != request.peer ||
		    existing->size_bytes != request.size_bytes || existing->image != request.image) {
			log_.error(what + ": refused, this node has it as " +
				   std::string(to_string(existing->role)) +
				   (existing->peer.empty() ? "" : " with peer " + existing->peer) + ", " +
				   format_size(existing->size_bytes) + ", image " + existing->image);
			return hps::fail(EEXIST);
		}
		if (existing->id != request.id)
			log_.error(what + ": this copy has volume id " + std::to_string(existing->id) +
				   ", the primary's is " + std::to_string(request.id) +
				   " (made before ids were cluster-wide): exported here it "
				   "has another NQN than on the primary");
		if (auto up = bring_up_volume(*existing); !up) {
			log_.error(what + ": " + up.error());
			return hps::fail(EIO);
		}
		return std::filesystem::path(volume_device_path(existing->name));
	}
	const Pool* pool = least_used_pool();
	if (!pool) {
		log_.error(what + ": no active pool on this node");
		return hps::fail(ENOSPC);
	}
	const std::uint32_t id = request.id;
	if (id == 0) {
		log_.error(what + ": the primary sent volume id 0");
		return hps::fail(EINVAL);
	}
	if (const VolumeRecord* other = registry_.find_by_id(id)) {
		log_.error(what + ": refused, volume id " + std::to_string(id) +
			   " is taken here by volume " + other->name);
		return hps::fail(EEXIST);
	}
	VolumeRecord record{request.name,	  id,	      pool->spec.id, request.size_bytes,
			    request.image, VolumeRole::secondary, request.peer};
	if (auto up = bring_up_volume(record); !up) {
		log_.error(what + ": " + up.error());
		return hps::fail(EIO);
	}
	Registry updated = registry_;
	auto added = updated.add(record);
	auto saved = added ? updated.save(state_dir_) : hps::Result<void, std::string>(fail(added.error()));
	if (!saved) {
		if (auto dm = control(); dm)
			(void)(*dm)->remove_device(volume_device_name(record.name));
		log_.error(what + ": " + saved.error());
		return hps::fail(EIO);
	}
	commit(std::move(updated));
	log_.info("volume " + record.name + " created as the secondary of " + request.peer + ": id " +
		  std::to_string(record.id) + ", pool " + std::to_string(record.pool_id) + ", " +
		  format_size(record.size_bytes));
	return std::filesystem::path(volume_device_path(record.name));
}

void Service::commit(Registry updated)
{
	registry_ = std::move(updated);
	if (records_changed_)
		records_changed_();
}

Service::Pool* Service::find_pool(std::uint32_t id)
{
	auto it = std::find_if(pools_.begin(), pools_.end(),
			       [id](const Pool& p) { return p.spec.id == id; });
	return it == pools_.end() ? nullptr : &*it;
}

PoolView Service::view(const Pool& pool)
{
	PoolView v{pool.spec, pool.active, pool.origin, pool.error, std::nullopt, {}};
	for (const auto& record : registry_.volumes())
		if (record.pool_id == pool.spec.id)
			v.volumes.push_back(record.name);
	if (!pool.active)
		return v;
	auto dm = control();
	if (!dm) {
		v.error = dm.error();
		return v;
	}
	auto status = (*dm)->status(pool.spec.dm_name);
	if (!status) {
		v.error = status.error().message;
		return v;
	}
	if (status->size() != 1) {
		v.error = pool.spec.dm_name + " has " + std::to_string(status->size()) + " targets";
		return v;
	}
	auto parsed = dm::parse_pool_status((*status)[0].params);
	if (parsed)
		v.status = std::move(parsed).value();
	else
		v.error = parsed.error();
	return v;
}

VolumeView Service::view(const VolumeRecord& record)
{
	VolumeView v{record, volume_device_path(record.name), false, {}, std::nullopt};
	if (auto it = unclaimed_.find(record.name); it != unclaimed_.end()) {
		v.error = "not brought up, its ownership is unknown: " + it->second;
		return v;
	}
	auto dm = control();
	if (!dm) {
		v.error = dm.error();
		return v;
	}
	const std::string name = volume_device_name(record.name);
	auto status = (*dm)->status(name);
	if (!status) {
		v.error = status.error().err == ENXIO ? "device " + name + " is missing"
						      : status.error().message;
		return v;
	}
	v.present = true;
	if (status->size() != 1 || (*status)[0].type != "hps") {
		v.error = "device " + name + " is not an hps volume";
		return v;
	}
	auto parsed = dm::parse_volume_status((*status)[0].params);
	if (parsed)
		v.status = std::move(parsed).value();
	else
		v.error = parsed.error();
	return v;
}

std::vector<PoolView> Service::list_pools()
{
	retry_releases();
	std::vector<PoolView> views;
	for (const auto& pool : pools_)
		views.push_back(view(pool));
	return views;
}

ApiResult<PoolView> Service::show_pool(std::uint32_t id)
{
	const Pool* pool = find_pool(id);
	if (!pool)
		return api_fail(ErrorCode::not_found, "no pool " + std::to_string(id) +
							      " on this node (pools: " +
							      std::to_string(pools_.size()) +
							      ", see pool list)");
	return view(*pool);
}

std::vector<VolumeView> Service::list_volumes()
{
	retry_releases();
	retry_claims();
	std::vector<VolumeView> views;
	for (const auto& record : registry_.volumes())
		views.push_back(view(record));
	return views;
}

ApiResult<VolumeView> Service::show_volume(const std::string& name)
{
	retry_claims();
	const VolumeRecord* record = registry_.find_by_name(name);
	if (!record)
		return api_fail(ErrorCode::not_found, "no volume \"" + name + "\"");
	return view(*record);
}

ApiResult<CreateOutcome> Service::create_volume(const CreateRequest& request)
{
	retry_releases();
	if (auto ok = check_volume_name(request.name); !ok)
		return api_fail(ErrorCode::invalid_params, ok.error());
	if (auto ok = check_size(request.size_bytes); !ok)
		return api_fail(ErrorCode::invalid_params, ok.error());

	const Pool* pool = nullptr;
	if (request.pool) {
		pool = find_pool(*request.pool);
		if (!pool)
			return api_fail(ErrorCode::not_found,
					"no pool " + std::to_string(*request.pool) +
						" on this node (see pool list)");
	}

	if (!request.replica_node.empty() &&
	    std::find(peers_.begin(), peers_.end(), request.replica_node) == peers_.end())
		return api_fail(ErrorCode::invalid_params,
				"replica node \"" + request.replica_node +
					"\" is not one of this node's replication peers (" +
					(peers_.empty() ? std::string("none configured") : [&] {
						std::string all;
						for (const auto& p : peers_)
							all += (all.empty() ? "" : ", ") + p;
						return all;
					}()) + ")");
	const VolumeRole role =
		request.replica_node.empty() ? VolumeRole::standalone : VolumeRole::primary;

	if (const VolumeRecord* existing = registry_.find_by_name(request.name)) {
		// Idempotent: asking again for what exists is success.
		if (existing->role != role || existing->peer != request.replica_node)
			return api_fail(ErrorCode::illegal_state,
					"volume \"" + request.name + "\" exists as " +
						std::string(to_string(existing->role)) +
						(existing->peer.empty() ? "" : " with peer " + existing->peer) +
						", not " + std::string(to_string(role)) +
						(request.replica_node.empty()
							 ? ""
							 : " replicated to " + request.replica_node));
		if (existing->size_bytes != request.size_bytes)
			return api_fail(ErrorCode::illegal_state,
					"volume \"" + request.name + "\" exists with size " +
						format_size(existing->size_bytes) + " (" +
						std::to_string(existing->size_bytes) +
						" bytes), not " + format_size(request.size_bytes));
		if (pool && existing->pool_id != pool->spec.id)
			return api_fail(ErrorCode::illegal_state,
					"volume \"" + request.name + "\" exists in pool " +
						std::to_string(existing->pool_id) + ", not " +
						std::to_string(pool->spec.id));
		// Re-create its device if it went missing.
		if (auto up = bring_up_volume(*existing); !up)
			return api_fail(ErrorCode::illegal_state,
					"volume \"" + request.name + "\" exists but " + up.error());
		return CreateOutcome{view(*existing), false, false};
	}

	if (!pool) {
		pool = least_used_pool();
		if (!pool)
			return api_fail(ErrorCode::illegal_state,
					pools_.empty() ? "this node has no pools (cache_disks is empty "
							 "in the config)"
						       : "no pool is active (see pool list)");
	}
	if (!pool->active)
		return api_fail(ErrorCode::illegal_state, "pool " + std::to_string(pool->spec.id) +
								  " is not active: " + pool->error);

	// The image: reuse one of the same size, refuse another size.
	auto image_size = images_->size_of(request.name);
	if (!image_size)
		return api_fail(ErrorCode::internal, image_size.error());
	bool image_created = false;
	if (*image_size) {
		if (**image_size != request.size_bytes)
			return api_fail(ErrorCode::illegal_state,
					"RBD image " + images_->describe(request.name) +
						" exists with size " + format_size(**image_size) +
						", not " + format_size(request.size_bytes) +
						"; hps will not resize it");
	} else {
		if (auto created = images_->create(request.name, request.size_bytes); !created)
			return api_fail(ErrorCode::internal, created.error());
		image_created = true;
	}
	// Undo what this request made when a later step fails.
	std::uint32_t id = 0;
	auto roll_back_image = [&] {
		if (id != 0)
			if (auto released = release_volume_id(*images_, id, request.name); !released)
				log_.error("volume " + request.name + ": rollback: " + released.error());
		if (!image_created)
			return;
		if (auto removed = images_->remove(request.name); !removed)
			log_.error("volume " + request.name + ": rollback: " + removed.error());
	};
	// Its id, unique in the cluster (cluster_ids.hpp); an image kept from
	// a deleted volume brings its old one.
	std::uint32_t preferred = 0;
	if (!image_created)
		if (auto had = images_->metadata(request.name, volume_id_metadata_key); had && *had)
			preferred = parse_volume_id(**had);
	if (auto claimed = claim_volume_id(*images_, registry_, request.name, preferred); claimed) {
		id = *claimed;
	} else {
		roll_back_image();
		return api_fail(ErrorCode::internal, claimed.error());
	}
	if (id != preferred)
		if (auto noted = images_->set_metadata(request.name, volume_id_metadata_key,
						       std::to_string(id));
		    !noted)
			log_.error("volume " + request.name + ": " + noted.error().message +
				   " (a volume made again from this image gets a new id)");

	// A replicated volume's primary holds its image (ownership.hpp).
	if (role == VolumeRole::primary) {
		auto claim = claim_image(*images_, request.name, node_, ClaimMode::keep);
		if (!claim || !claim->held) {
			roll_back_image();
			if (!claim)
				return api_fail(ErrorCode::internal, claim.error());
			return api_fail(ErrorCode::illegal_state,
					"RBD image " + images_->describe(request.name) + " is held by " +
						claim->owner + ", the primary of a volume there");
		}
	}
	VolumeRecord record{request.name, id,	  pool->spec.id,	request.size_bytes,
			    request.name, role, request.replica_node};
	auto up = bring_up_volume(record);
	if (!up) {
		roll_back_image();
		return api_fail(ErrorCode::internal,
				"cannot create the device of volume \"" + request.name + "\": " + up.error());
	}
	Registry updated = registry_;
	auto added = updated.add(record);
	auto saved = added ? updated.save(state_dir_) : hps::Result<void, std::string>(fail(added.error()));
	if (!saved) {
		if (auto dm = control(); dm)
			(void)(*dm)->remove_device(volume_device_name(record.name));
		roll_back_image();
		return api_fail(ErrorCode::internal, saved.error());
	}
	commit(std::move(updated));
	if (volume_change_ && role == VolumeRole::primary)
		volume_change_(record, VolumeChange::created);
	log_.info("volume " + record.name + " created: id " + std::to_string(record.id) + ", pool " +
		  std::to_string(record.pool_id) + ", " + format_size(record.size_bytes) +
		  ", image " + images_->describe(record.image) + (image_created ? " (new)" : " (existing)"));
	return CreateOutcome{view(*registry_.find_by_name(record.name)), true, image_created};
}

ApiResult<DeleteOutcome> Service::delete_volume(const DeleteRequest& request)
{
	retry_releases();
	const VolumeRecord* found = registry_.find_by_name(request.name);
	if (!found)
		return api_fail(ErrorCode::not_found, "no volume \"" + request.name + "\"");
	const VolumeRecord record = *found;
	const std::string name = volume_device_name(record.name);

	VolumeView current = view(record);
	std::optional<std::uint64_t> dirty;
	if (current.status)
		dirty = current.status->dirty_blocks;
	if (dirty && *dirty > 0 && !request.force)
		return api_fail(ErrorCode::illegal_state,
				"volume \"" + record.name + "\" has " + std::to_string(*dirty) +
					" dirty blocks not yet written back to Ceph: flush it first "
					"(volume.flush; hpsctl volume delete does), or force to "
					"discard them");

	if (current.present) {
		auto dm = control();
		if (!dm)
			return api_fail(ErrorCode::internal, dm.error());
		if (auto removed = (*dm)->remove_device(name); !removed) {
			if (removed.error().err == EBUSY)
				return api_fail(ErrorCode::illegal_state,
						"volume \"" + record.name + "\" is in use (" +
							current.device +
							" is open: mounted, exported or held)");
			return api_fail(ErrorCode::internal, removed.error().message);
		}
	}
	// With the device gone nothing reads or writes the image through it:
	// hpsd lets go of it whether it is removed next (RBD refuses while
	// it is open) or kept (no watch left behind on an image hpsd no longer
	// serves).
	if (release_image_)
		release_image_(record);
	if (replicated_primary(record))
		if (auto released = release_image_claim(*images_, record.image, node_); !released)
			log_.error("volume " + record.name + ": " + released.error() +
				   " (the lock stays until a promotion or a claim breaks it)");
	bool image_deleted = false;
	if (request.delete_image) {
		if (auto removed = images_->remove(record.image); !removed)
			// The registry keeps the volume so that the delete can be
			// retried; its device comes back on the next hpsd start.
			return api_fail(ErrorCode::internal,
					"device " + name + " removed, but " + removed.error() +
						"; the volume stays registered, retry the delete");
		image_deleted = true;
		// The volume is gone from the cluster: its id may serve another.
		if (auto released = release_volume_id(*images_, record.id, record.image); !released)
			log_.error("volume " + record.name + ": " + released.error() +
				   " (the id stays taken)");
	}
	Registry updated = registry_;
	updated.remove(record.name);
	if (auto saved = updated.save(state_dir_); !saved)
		return api_fail(ErrorCode::internal, saved.error());
	commit(std::move(updated));
	if (volume_change_)
		volume_change_(record, VolumeChange::deleted);
	// Only now that the device is gone (the pool refuses while it is
	// bound): the pool drops the volume's blocks and frees its slot.
	const std::string release_error = release(record.pool_id, record.id, request.force);
	if (!release_error.empty()) {
		log_.error("volume " + record.name + ": " + release_error + "; retried later");
		pending_releases_.push_back({record.pool_id, record.id, request.force});
	}
	log_.info("volume " + record.name + " deleted (id " + std::to_string(record.id) + ")" +
		  (image_deleted ? ", RBD image removed" : ", RBD image kept") +
		  (dirty && *dirty > 0 ? ", " + std::to_string(*dirty) + " dirty blocks discarded"
				       : "") +
		  (release_error.empty() ? ", released from pool " + std::to_string(record.pool_id)
					 : ""));
	return DeleteOutcome{record, dirty, image_deleted, release_error.empty(), release_error};
}

std::string Service::release(std::uint32_t pool_id, std::uint32_t volume_id, bool force)
{
	const std::string what = "release_volume " + std::to_string(volume_id) + " on " +
				 pool_device_name(pool_id);
	const Pool* pool = find_pool(pool_id);
	if (!pool || !pool->active)
		return what + ": the pool is not active";
	auto dm = control();
	if (!dm)
		return what + ": " + dm.error();
	auto sent = (*dm)->message(pool->spec.dm_name, 0,
				   "release_volume " + std::to_string(volume_id) + (force ? " force" : ""));
	// ENOENT: the pool never had it (the device was never created there).
	if (!sent && sent.error().err != ENOENT)
		return what + ": " + sent.error().message;
	return {};
}

void Service::retry_releases()
{
	std::erase_if(pending_releases_, [this](const PendingRelease& p) {
		const std::string error = release(p.pool_id, p.volume_id, p.force);
		if (error.empty())
			log_.info("volume id " + std::to_string(p.volume_id) + " released from pool " +
				  std::to_string(p.pool_id));
		return error.empty();
	});
}

} // namespace hps::volume
