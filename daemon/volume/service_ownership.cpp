// SPDX-License-Identifier: GPL-2.0-only
// The volume service's side of ownership (ownership.hpp): claiming a
// replicated primary's RBD image at start, the fencing of a node that was
// replaced while away, and promotion.
#include "volume/ownership.hpp"
#include "volume/service.hpp"

#include "volume/naming.hpp"

namespace hps::volume {
namespace {

using hps::api::ErrorCode;

hps::Unexpected<ApiError> api_fail(ErrorCode code, std::string message)
{
	return fail(ApiError{code, std::move(message)});
}

} // namespace

hps::Result<void, std::string> Service::update_record(const VolumeRecord& record)
{
	Registry updated = registry_;
	if (!updated.replace(record))
		return fail("volume \"" + record.name + "\" is not registered with id " +
			    std::to_string(record.id));
	if (auto saved = updated.save(state_dir_); !saved)
		return fail(saved.error());
	commit(std::move(updated));
	return {};
}

hps::Result<void, std::string> Service::kernel_message(const VolumeRecord& record,
						       const std::string& text)
{
	auto dm = control();
	if (!dm)
		return fail(dm.error());
	if (auto sent = (*dm)->message(volume_device_name(record.name), 0, text); !sent)
		return fail("cannot set " + text + " on " + volume_device_name(record.name) + ": " +
			    sent.error().message);
	return {};
}

hps::Result<void, std::string> Service::set_kernel_role(const VolumeRecord& record)
{
	return kernel_message(record, "role " + std::string(to_string(record.role)));
}

hps::Result<void, std::string> Service::set_kernel_lease(const VolumeRecord& record,
							 std::string_view lease)
{
	return kernel_message(record, "lease " + std::string(lease));
}

bool Service::claim_and_bring_up(const VolumeRecord& original, bool ceph_away)
{
	VolumeRecord record = original;
	if (replicated_primary(record)) {
		auto claim = ceph_away ? hps::Result<Claim, std::string>(fail(std::string(
						 "Ceph did not answer for an earlier volume")))
				       : claim_image(*images_, record.image, node_, ClaimMode::keep);
		if (!claim) {
			// Serving without knowing whether another node took over
			// could let both write: the device waits for Ceph.
			unclaimed_[record.name] = claim.error();
			log_.error("volume " + record.name +
				   ": not brought up, its ownership is unknown: " + claim.error() +
				   "; retried with the volume requests, every 10 s at most");
			return false;
		}
		unclaimed_.erase(record.name);
		if (!claim->held) {
			// Promoted elsewhere while this node was away: this copy
			// is stale.  As the new primary's secondary it is never
			// written back, and its resync replaces every block.
			record.role = VolumeRole::secondary;
			record.peer = claim->owner;
			if (auto saved = update_record(record); !saved) {
				unclaimed_[record.name] = saved.error();
				log_.error("volume " + record.name + ": " + saved.error());
				return true;
			}
			log_.error("volume " + record.name + ": fenced: " + claim->owner +
				  " holds RBD image " + images_->describe(record.image) +
				  " (it was promoted there while this node was away); this copy "
				  "is now " + claim->owner +
				  "'s secondary, is not written back, and is replaced by its resync");
		} else if (!claim->fenced_node.empty()) {
			log_.info("volume " + record.name + ": took RBD image " +
				  images_->describe(record.image) +
				  " back from this node's previous hpsd");
		}
	}
	auto up = bring_up_volume(record);
	if (!up) {
		log_.error("volume " + record.name + ": " + up.error());
		return true;
	}
	if (replicated_primary(record) && *up == "adopted")
		kept_by_kernel_.insert(record.name);
	else
		kept_by_kernel_.erase(record.name);
	// An adopted device keeps the kernel's role: make it the record's.
	if (record.role != original.role)
		if (auto set = set_kernel_role(record); !set)
			log_.error("volume " + record.name + ": " + set.error());
	log_.info("volume " + record.name + " (id " + std::to_string(record.id) + "): " + *up + " " +
		  volume_device_path(record.name) + " as " +
		  std::string(to_string(record.role)));
	return true;
}

void Service::retry_claims()
{
	// Each try may wait out Ceph's connect timeout on the control loop.
	const auto now = std::chrono::steady_clock::now();
	if (unclaimed_.empty() || now - last_claim_retry_ < std::chrono::seconds(10))
		return;
	last_claim_retry_ = now;
	std::vector<VolumeRecord> waiting;
	for (const auto& [name, error] : unclaimed_)
		if (const VolumeRecord* r = registry_.find_by_name(name))
			waiting.push_back(*r);
	unclaimed_.clear();
	bool ceph_away = false;
	for (const auto& record : waiting) {
		ceph_away = !claim_and_bring_up(record, ceph_away) || ceph_away;
		const VolumeRecord* now = registry_.find_by_name(record.name);
		if (unclaimed_.count(record.name) || !now || !volume_change_)
			continue;
		// Replication registered it as a primary at start; tell it what
		// it turned out to be.
		volume_change_(*now, now->role == VolumeRole::primary ? VolumeChange::promoted
								      : VolumeChange::demoted);
	}
}

ApiResult<PromoteOutcome> Service::promote_volume(const PromoteRequest& request)
{
	retry_claims();
	const VolumeRecord* found = registry_.find_by_name(request.name);
	if (!found)
		return api_fail(ErrorCode::not_found, "no volume \"" + request.name + "\"");
	VolumeRecord record = *found;
	if (record.role == VolumeRole::standalone || record.peer.empty())
		return api_fail(ErrorCode::illegal_state,
				"volume \"" + record.name + "\" is not replicated: there is no other "
							    "copy to promote from");
	if (record.role == VolumeRole::primary) {
		// Idempotent, but only while this node really holds the image.
		auto claim = claim_image(*images_, record.image, node_, ClaimMode::keep);
		if (!claim)
			return api_fail(ErrorCode::internal, claim.error());
		if (!claim->held)
			return api_fail(ErrorCode::illegal_state,
					"volume \"" + record.name + "\": " + claim->owner +
						" holds RBD image " + images_->describe(record.image) +
						"; this node's copy is not the primary");
		return PromoteOutcome{view(record), false, {}, {}};
	}
	if (promote_check_)
		if (auto ok = promote_check_(record, request.force); !ok)
			return api_fail(ErrorCode::illegal_state,
					"volume \"" + record.name + "\": " + ok.error());

	const std::string old_primary = record.peer;
	// The old primary went on without this copy (it recorded so in Ceph
	// before completing a write alone): promoting it would lose those
	// writes.  Asked before fencing, and again after, when a record made
	// in between is final (the old primary can write no more).
	auto outdated = [&]() -> hps::Result<void, ApiError> {
		auto who = outdated_copy(*images_, record.image);
		if (!who)
			return api_fail(ErrorCode::internal, "volume \"" + record.name +
								     "\": not promoted: " + who.error());
		if (*who == node_ && !request.force)
			return api_fail(ErrorCode::illegal_state,
					"volume \"" + record.name + "\": " + old_primary +
						" recorded in Ceph that this copy is outdated (it went "
						"on writing without it); promoting it would lose those "
						"writes (--force promotes it anyway)");
		return {};
	};
	if (auto ok = outdated(); !ok)
		return hps::fail(ok.error());
	auto claim = claim_image(*images_, record.image, node_, ClaimMode::take_over);
	if (!claim)
		return api_fail(ErrorCode::internal, "volume \"" + record.name +
							     "\": not promoted: " + claim.error());
	if (auto ok = outdated(); !ok) {
		auto error = ok.error();
		error.message += "; " + old_primary + " is fenced already: its data waits in its "
						      "cache";
		return hps::fail(error);
	}
	// From here the old primary is fenced: every step left retries with
	// the next promote (the claim finds the image held).
	record.role = VolumeRole::primary;
	VolumeView current = view(record);
	// The old primary may serve until its ownership lease runs out
	// (kmod/FORMAT.md): this copy waits, lapsed, until replication's
	// lease keeper renews it one lease from now.
	if (current.present) {
		if (auto held = set_kernel_lease(record, "0"); !held)
			return api_fail(ErrorCode::internal,
					"volume \"" + record.name + "\": RBD image taken from " +
						old_primary + ", but " + held.error() +
						"; retry the promote");
		if (auto set = set_kernel_role(record); !set) {
			(void)set_kernel_lease(record, "off"); // still the secondary
			return api_fail(ErrorCode::internal,
					"volume \"" + record.name + "\": RBD image taken from " +
						old_primary + ", but " + set.error() +
						"; retry the promote");
		}
	} else if (auto up = bring_up_volume(record); !up) {
		return api_fail(ErrorCode::internal,
				"volume \"" + record.name + "\": RBD image taken from " + old_primary +
					", but " + up.error() + "; retry the promote");
	} else if (auto held = set_kernel_lease(record, "0"); !held) {
		return api_fail(ErrorCode::internal,
				"volume \"" + record.name + "\": RBD image taken from " + old_primary +
					", but " + held.error() + "; retry the promote");
	}
	if (auto saved = update_record(record); !saved) {
		record.role = VolumeRole::secondary;
		(void)set_kernel_role(record);
		(void)set_kernel_lease(record, "off");
		return api_fail(ErrorCode::internal, "volume \"" + record.name + "\": RBD image taken from " +
							     old_primary + ", but " + saved.error() +
							     "; retry the promote");
	}
	if (volume_change_)
		volume_change_(record, VolumeChange::promoted);
	std::string fenced;
	for (const auto& a : claim->fenced)
		fenced += (fenced.empty() ? "" : ", ") + a;
	log_.info("volume " + record.name + " promoted: this node is its primary; " +
		  (claim->fenced_node.empty() ? std::string("RBD image was not locked")
					      : claim->fenced_node + "'s lock broken") +
		  (fenced.empty() ? "" : ", Ceph clients " + fenced + " blocklisted") +
		  "; " + old_primary + " gets a full resync when it returns");
	return PromoteOutcome{view(record), true, claim->fenced_node, claim->fenced};
}

} // namespace hps::volume
