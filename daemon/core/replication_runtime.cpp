// SPDX-License-Identifier: GPL-2.0-only
#include "core/replication_runtime.hpp"

#include "util/errno_text.hpp"
#include "volume/naming.hpp"
#include "volume/ownership.hpp"
#include "volume/pool_layout.hpp"

#include <boost/asio/post.hpp>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <ctime>

namespace hpsd {
namespace {

using Json = hps::api::Json;
using hps::volume::VolumeRecord;
using hps::volume::VolumeRole;

std::string iso8601(std::chrono::system_clock::time_point t)
{
	const std::time_t secs = std::chrono::system_clock::to_time_t(t);
	std::tm tm{};
	::gmtime_r(&secs, &tm);
	char buf[32];
	std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

Json primary_json(const replication::PrimaryVolumeStatus& s)
{
	const std::uint64_t percent =
		s.resync_planned == 0 ? 100 : std::min<std::uint64_t>(100, s.resync_acked * 100 / s.resync_planned);
	return Json{
		{"node", s.peer},
		{"state", std::string(replication::to_string(s.state))},
		{"degraded_since", s.state == replication::ReplicaState::degraded
					   ? Json(iso8601(s.degraded_since))
					   : Json(nullptr)},
		{"changed_bytes", s.changed_bytes},
		{"resync",
		 Json{{"round", s.resync_rounds},
		      {"planned_bytes", s.resync_planned},
		      {"sent_bytes", s.resync_sent},
		      {"acked_bytes", s.resync_acked},
		      {"elapsed_ms", s.resync_elapsed.count()},
		      {"percent", percent}}},
		{"writes_replicated", s.writes_replicated},
		{"writes_degraded", s.writes_degraded},
		{"peer_errors", s.peer_errors},
		{"last_error", s.last_error.empty() ? Json(nullptr) : Json(s.last_error)},
		{"clean",
		 Json{{"batches", s.clean_batches},
		      {"bytes", s.clean_bytes},
		      {"acks", s.clean_acks},
		      {"errors", s.clean_errors},
		      {"dropped_bytes", s.clean_dropped_bytes}}},
	};
}

} // namespace

std::unique_ptr<ReplicationRuntime> ReplicationRuntime::start(boost::asio::io_context& io,
							      const Config& config,
							      hps::volume::Service& volumes,
							      hps::volume::ImageStore& images,
							      ReplicatingBackend& backend, Logger& log,
							      writeback::ChannelIoctl ioctl)
{
	auto runtime =
		std::make_unique<ReplicationRuntime>(Key{}, io, config, volumes, images, backend, log);
	runtime->ioctl_ = std::move(ioctl);
	runtime->watch_volumes();
	auto reader = writeback::UringReader::create(64);
	if (!reader)
		log.error("replication: resync reads: " + reader.error());
	else
		runtime->reader_ = std::move(reader).value();
	auto manager = replication::Manager::start(
		io, config, runtime->hooks(),
		[&log](LogLevel level, std::string_view line) { log.log(level, line); });
	if (!manager) {
		log.error("replication: not started: " + manager.error() +
			  "; replicated writes fail until hpsd is restarted");
		backend.start_unreplicated();
		// Whether or not replication runs, a primary that cannot
		// confirm its ownership must stop serving.
		runtime->lease_.start();
		return runtime;
	}
	runtime->manager_ = std::move(manager).value();
	runtime->cleaner_.set_manager(runtime->manager_.get());
	// The primaries first: the requests the backend held since the
	// channel started must find them (replicating_backend.hpp).
	for (const VolumeRecord& record : volumes.records())
		if (record.role == VolumeRole::primary)
			runtime->add(record, runtime->peer_copy_at_start(record));
	backend.start(runtime->manager_.get());
	// After peer_copy_at_start: from here Ceph is asked on ceph_ only.
	runtime->lease_.start();
	return runtime;
}

void ReplicationRuntime::watch_volumes()
{
	volumes_.on_volume_change([this](const VolumeRecord& record,
					 hps::volume::VolumeChange change) {
		switch (change) {
		case hps::volume::VolumeChange::created:
			if (manager_)
				add(record, replication::PeerCopy::empty);
			break;
		case hps::volume::VolumeChange::promoted:
			lease_.promoted(record);
			// The old primary's copy may hold writes this one lacks
			// (in flight when it failed) or be stale: it is resynced
			// whole when it returns.
			if (manager_)
				add(record, replication::PeerCopy::unknown);
			break;
		case hps::volume::VolumeChange::demoted:
		case hps::volume::VolumeChange::deleted:
			lease_.dropped(record);
			if (!manager_)
				break;
			backend_.set_primary(record.id, false);
			cleaner_.set_gate(record.id, nullptr);
			manager_->remove_primary(record.id);
			devices_.erase(record.id);
			break;
		}
	});
	volumes_.on_promote_check([this](const VolumeRecord& record, bool force) {
		return promote_check(record, force);
	});
}

ReplicationRuntime::ReplicationRuntime(Key, boost::asio::io_context& io, const Config& config,
				       hps::volume::Service& volumes, hps::volume::ImageStore& images,
				       ReplicatingBackend& backend, Logger& log)
	: io_(io), config_(config), volumes_(volumes), backend_(backend), log_(log), barrier_(io),
	  cleaner_(io), images_(images), lease_(io, config, volumes, images, ceph_, log)
{
}

ReplicationRuntime::~ReplicationRuntime()
{
	stop();
	barrier_.stop();
}

void ReplicationRuntime::stop()
{
	lease_.stop();
	cleaner_.set_manager(nullptr);
	volumes_.on_volume_change({});
	volumes_.on_promote_check({});
	backend_.stop();
	if (manager_)
		manager_->stop();
}

replication::PeerCopy ReplicationRuntime::peer_copy_at_start(const VolumeRecord& record)
{
	if (!volumes_.kept_by_kernel(record.name)) // only ever a replicated primary
		return replication::PeerCopy::unknown;
	// Before any request of this hpsd could record it: an outdated copy
	// recorded now was recorded by the last hpsd, which went on without
	// the peer.  Asked here, on the io thread, as the claim just was:
	// nothing runs on the runtime's Ceph worker yet.
	auto outdated = hps::volume::outdated_copy(images_, record.image);
	if (!outdated) {
		log_.warn("replication: volume " + record.name + ": " + outdated.error() +
			  "; its peer's copy is resynced whole");
		return replication::PeerCopy::unknown;
	}
	if (*outdated)
		return replication::PeerCopy::unknown;
	return replication::PeerCopy::kept_if_peer_agrees;
}

void ReplicationRuntime::add(const VolumeRecord& record, replication::PeerCopy peer_copy)
{
	replication::PrimaryVolumeInfo info;
	info.id = record.id;
	info.name = record.name;
	info.image = record.image;
	info.size_bytes = record.size_bytes;
	info.block_bytes = hps::volume::pool_block_sectors * 512;
	info.peer = record.peer;
	backend_.set_primary(record.id, true);
	manager_->add_primary(std::move(info), peer_copy);
	cleaner_.set_gate(record.id, manager_->clean_gate(record.id));
}

replication::ManagerHooks ReplicationRuntime::hooks()
{
	replication::ManagerHooks h;
	h.ensure_secondary = [this](const replication::Attach& attach,
				    const std::string& peer) -> hps::Result<std::filesystem::path, int> {
		return volumes_.ensure_secondary(
			{attach.name, attach.volume, attach.size_bytes, attach.image, peer});
	};
	h.barrier = [this](std::uint32_t volume, std::function<void()> step,
			   std::function<void(std::string)> done) {
		const auto& records = volumes_.records();
		auto it = std::find_if(records.begin(), records.end(),
				       [volume](const VolumeRecord& r) { return r.id == volume; });
		if (it == records.end()) {
			done("volume " + std::to_string(volume) + " is not registered");
			return;
		}
		barrier_.run(hps::volume::volume_device_name(it->name), std::move(step), std::move(done));
	};
	h.read = [this](std::uint32_t volume, std::uint64_t offset, std::span<std::byte> into,
			std::function<void(int)> done) { read(volume, offset, into, std::move(done)); };
	h.record_outdated = [this](std::uint32_t volume,
				   std::function<void(replication::OutdatedRecord, std::string)> done) {
		const VolumeRecord* r = find_record(volume);
		if (!r) {
			done(replication::OutdatedRecord::failed, "volume id " + std::to_string(volume) +
									 " is not registered");
			return;
		}
		ceph_.post([this, image = r->image, peer = r->peer, done = std::move(done)] {
			const auto o = hps::volume::record_peer_outdated(images_, image,
									 config_.node_name, peer);
			const auto result =
				o.result == hps::volume::OutdatedResult::recorded
					? replication::OutdatedRecord::recorded
				: o.result == hps::volume::OutdatedResult::fenced
					? replication::OutdatedRecord::fenced
					: replication::OutdatedRecord::failed;
			boost::asio::post(io_, [done, result, why = o.why] { done(result, why); });
		});
	};
	h.clear_outdated = [this](std::uint32_t volume) {
		const VolumeRecord* r = find_record(volume);
		if (!r)
			return;
		ceph_.post([this, image = r->image, name = r->name] {
			if (auto cleared = hps::volume::clear_peer_outdated(images_, image); !cleared)
				log_.warn("replication: volume " + name + ": " + cleared.error() +
					  " (a promotion of the peer stays refused without --force)");
		});
	};
	h.mark_clean = [this](const std::string& name,
			      const std::vector<hps::ByteRange>& ranges) {
		return mark_clean(name, ranges);
	};
	return h;
}

// A secondary's CLEAN, for what its applier allows: WB_CLEAN of this
// node's copy (the kernel refuses anything but a secondary).
int ReplicationRuntime::mark_clean(const std::string& name,
				   const std::vector<hps::ByteRange>& ranges)
{
	if (!ioctl_)
		return -ENOTCONN;
	const VolumeRecord* record = nullptr;
	for (const VolumeRecord& r : volumes_.records())
		if (r.name == name && r.role == VolumeRole::secondary)
			record = &r;
	if (!record)
		return -ENOENT;
	std::vector<std::pair<std::uint64_t, std::uint64_t>> pairs;
	pairs.reserve(ranges.size());
	for (const hps::ByteRange& r : ranges)
		pairs.emplace_back(r.begin, r.length());
	auto cleaned = writeback::IoctlKernel(ioctl_).clean(record->pool_id, record->id, pairs);
	if (!cleaned) {
		log_.warn("replication: volume " + name + " (secondary): WB_CLEAN: " +
			  hps::errno_text(-cleaned.error()));
		return cleaned.error();
	}
	return 0;
}

// A resync read of a primary's own device: the data as the volume's users
// see it (cache or RBD), O_DIRECT through io_uring.
void ReplicationRuntime::read(std::uint32_t volume, std::uint64_t offset, std::span<std::byte> into,
			      std::function<void(int)> done)
{
	if (!reader_) {
		done(-EIO);
		return;
	}
	auto dev = devices_.find(volume);
	if (dev == devices_.end()) {
		const auto& records = volumes_.records();
		auto it = std::find_if(records.begin(), records.end(),
				       [volume](const VolumeRecord& r) { return r.id == volume; });
		struct stat st {};
		const std::string path =
			it == records.end() ? std::string()
					    : hps::volume::volume_device_path(it->name);
		if (path.empty() || ::stat(path.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) {
			log_.error("replication: volume " + std::to_string(volume) +
				   ": no block device to resync from (" + path + ")");
			done(-ENODEV);
			return;
		}
		dev = devices_.emplace(volume, writeback::CacheDevice{major(st.st_rdev), minor(st.st_rdev)})
			      .first;
	}
	reader_->read(dev->second, offset, into, [this, done = std::move(done)](int result) {
		// The reader's thread: the volume's logic is the io thread's.
		boost::asio::post(io_, [done, result] { done(result); });
	});
}

const VolumeRecord* ReplicationRuntime::find_record(std::uint32_t volume) const
{
	const auto& records = volumes_.records();
	auto it = std::find_if(records.begin(), records.end(),
			       [volume](const VolumeRecord& r) { return r.id == volume; });
	return it == records.end() ? nullptr : &*it;
}

hps::Result<void, std::string> ReplicationRuntime::promote_check(const VolumeRecord& record,
								 bool force) const
{
	if (!manager_)
		return force ? hps::Result<void, std::string>{}
			     : hps::fail(std::string("replication is not running here, so whether "
						     "this copy is in sync is unknown (--force "
						     "promotes it anyway)"));
	const auto state = manager_->secondary_state(record.name);
	// Never with the primary still attached: it would go on sending
	// writes into the new primary's copy.
	if (state.connected)
		return hps::fail("its primary " + state.primary +
				 " is still connected to this node; promote only once it is lost");
	if (force)
		return {};
	if (!state.known)
		return hps::fail("this copy has not been attached by " + record.peer +
				 " since hpsd started here, so whether it is in sync is unknown "
				 "(--force promotes it anyway, losing what it lacks)");
	if (!state.in_sync)
		return hps::fail("this copy was not in sync when " + state.primary +
				 " was lost (mid-resync) (--force promotes it anyway, losing what "
				 "it lacks)");
	return {};
}

Json ReplicationRuntime::replica_json(const VolumeRecord& record) const
{
	if (!manager_)
		return nullptr;
	if (record.role == VolumeRole::secondary) {
		const auto state = manager_->secondary_state(record.name);
		const char* text = !state.known	     ? "not attached"
				   : state.connected ? (state.in_sync ? "in_sync" : "resyncing")
				   : state.in_sync   ? "disconnected_in_sync"
						     : "disconnected";
		return Json{{"node", record.peer},
			    {"copy", true},
			    {"state", text},
			    {"connected", state.connected},
			    {"in_sync", state.in_sync}};
	}
	if (record.role != VolumeRole::primary)
		return nullptr;
	auto s = manager_->primary_status(record.id);
	if (!s)
		return nullptr;
	Json json = primary_json(*s);
	json["lease"] = lease_.json(record.name);
	return json;
}

Json ReplicationRuntime::status_json() const
{
	Json peers = Json::array();
	if (manager_) {
		for (const auto& p : manager_->peers()) {
			Json secondaries = Json::array();
			for (const auto& s : p.secondaries)
				secondaries.push_back(Json{{"name", s.name},
							   {"resyncing", s.resyncing},
							   {"writes", s.applier.writes},
							   {"write_bytes", s.applier.write_bytes},
							   {"discards", s.applier.discards},
							   {"flushes", s.applier.flushes},
							   {"resync_bytes_written", s.applier.resync_bytes_written},
							   {"resync_bytes_skipped", s.applier.resync_bytes_skipped},
							   {"errors", s.applier.errors},
							   {"cleans", s.applier.cleans},
							   {"clean_bytes", s.applier.clean_bytes},
							   {"clean_kept_bytes", s.applier.clean_kept_bytes},
							   {"clean_ignored_bytes", s.applier.clean_ignored_bytes},
							   {"clean_errors", s.applier.clean_errors}});
			peers.push_back(Json{{"node", p.node},
					     {"address", p.address},
					     {"connected", p.connected},
					     {"link", p.link.empty() ? Json(nullptr) : Json(p.link)},
					     {"last_error", p.last_error.empty() ? Json(nullptr)
										 : Json(p.last_error)},
					     {"secondaries", secondaries}});
		}
	}
	Json primaries = Json::array();
	for (const VolumeRecord& r : volumes_.records())
		if (r.role == VolumeRole::primary)
			primaries.push_back(Json{{"name", r.name}, {"replica", replica_json(r)}});
	return Json{{"running", manager_ != nullptr},
		    {"transport", std::string(to_string(config_.replication.transport))},
		    {"peers", peers},
		    {"primaries", primaries}};
}

} // namespace hpsd
