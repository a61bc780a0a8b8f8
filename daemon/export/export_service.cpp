// SPDX-License-Identifier: GPL-2.0-only
#include "export/export_service.hpp"

#include "export/lio_names.hpp"
#include "export/lio_writer.hpp"
#include "export/nvmet_names.hpp"
#include "export/nvmet_writer.hpp"

#include <algorithm>

namespace hpsd::exports {
namespace {

void say(const std::function<void(const std::string&)>& sink, const std::string& line)
{
	if (sink)
		sink(line);
}

} // namespace

ExportService::ExportService(ExportConfig config, std::string cluster_id,
			     std::filesystem::path state_dir, VolumeSource volumes, ExportLog log,
			     std::unique_ptr<Configfs> fs)
	: config_(std::move(config)), cluster_id_(std::move(cluster_id)),
	  state_dir_(std::move(state_dir)), volumes_(std::move(volumes)), log_(std::move(log)),
	  fs_(std::move(fs))
{
	if (enabled() && !fs_)
		fs_ = std::make_unique<PosixConfigfs>(config_.nvme ? config_.nvme->configfs
								   : config_.iscsi->configfs);
}

hps::Result<void, std::string> ExportService::start()
{
	auto loaded = HostStore::load(state_dir_);
	if (!loaded)
		return hps::fail(loaded.error());
	hosts_ = std::move(loaded).value();
	started_ = true;
	if (!enabled()) {
		say(log_.info, "export: off (no export.nvme or export.iscsi in the config); " +
			  std::to_string(hosts_.hosts().size()) + " hosts known");
		return {};
	}
	// Not fatal: hpsd serves its volumes without export, and says why.
	(void)reconcile();
	return {};
}

template <class Writer, class State>
std::optional<std::string> ExportService::apply(const State& desired, State& applied,
						const char* what, std::size_t& changes)
{
	Writer writer(*fs_);
	auto made = writer.apply(desired);
	if (!made)
		return std::move(made).error();
	if (!last_error_.empty() || *made > 0)
		say(log_.info, "export: " + std::string(what) + " up to date: " +
				       std::to_string(desired.volumes.size()) + " volumes (" +
				       std::to_string(*made) + " changes)");
	changes += *made;
	applied = desired;
	return std::nullopt;
}

hps::Result<void, std::string> ExportService::reconcile()
{
	// Before start() the hosts are not loaded: applying then would take
	// down what a previous hpsd exported (a volume demoted while the
	// volume service starts calls here first).
	if (!enabled() || !started_)
		return {};
	const std::vector<ExportVolume> volumes = volumes_ ? volumes_() : std::vector<ExportVolume>{};
	std::string errors;
	std::size_t changes = 0;
	auto keep = [&errors](std::optional<std::string> error) {
		if (error)
			errors += (errors.empty() ? "" : "; ") + *error;
	};
	if (config_.nvme)
		keep(apply<NvmetWriter>(desired_nvmet_state(*config_.nvme, cluster_id_, volumes, hosts_),
					applied_, "nvmet", changes));
	if (config_.iscsi)
		keep(apply<LioWriter>(desired_lio_state(*config_.iscsi, cluster_id_, volumes, hosts_),
				      applied_lio_, "lio", changes));
	++applies_;
	last_changes_ = changes;
	if (!errors.empty()) {
		// Only logged when it changes, so a broken configfs does not fill
		// the log with one line per request.
		if (errors != last_error_)
			say(log_.error, "export: " + errors +
						" (what failed was left as it was; retried with the next change)");
		last_error_ = errors;
		return hps::fail(last_error_);
	}
	last_error_.clear();
	return {};
}

HostResult<void> ExportService::commit(HostStore updated)
{
	if (auto saved = updated.save(state_dir_); !saved)
		return hps::fail(HostError{HostErrorKind::io, saved.error()});
	hosts_ = std::move(updated);
	(void)reconcile();
	return {};
}

HostResult<bool> ExportService::add_host(Host host)
{
	HostStore updated = hosts_;
	auto added = updated.add(std::move(host));
	if (!added || !*added)
		return added;
	if (auto ok = commit(std::move(updated)); !ok)
		return hps::fail(ok.error());
	return true;
}

HostResult<void> ExportService::remove_host(const std::string& name)
{
	HostStore updated = hosts_;
	if (auto removed = updated.remove(name); !removed)
		return removed;
	return commit(std::move(updated));
}

HostResult<bool> ExportService::attach(const std::string& host, const std::string& volume)
{
	HostStore updated = hosts_;
	auto attached = updated.attach(host, volume);
	if (!attached || !*attached)
		return attached;
	if (auto ok = commit(std::move(updated)); !ok)
		return hps::fail(ok.error());
	return true;
}

HostResult<bool> ExportService::detach(const std::string& host, const std::string& volume)
{
	HostStore updated = hosts_;
	auto detached = updated.detach(host, volume);
	if (!detached || !*detached)
		return detached;
	if (auto ok = commit(std::move(updated)); !ok)
		return hps::fail(ok.error());
	return true;
}

VolumeExportView ExportService::volume_view(const hps::volume::VolumeRecord& record) const
{
	VolumeExportView view;
	view.nvme = config_.nvme.has_value();
	view.nqn = volume_nqn(record.id);
	for (const Host* host : hosts_.hosts_of(record.name))
		view.hosts.push_back(host->name);
	if (config_.iscsi)
		view.iqn = volume_iqn(record.id);
	auto lio = std::find_if(applied_lio_.volumes.begin(), applied_lio_.volumes.end(),
				[&](const LioVolume& v) { return v.id == record.id; });
	if (lio != applied_lio_.volumes.end()) {
		view.iscsi_exported = true;
		view.alua_state = to_string(lio->state);
		view.tpg_tag = applied_lio_.tpg_tag;
		view.portals = applied_lio_.portals;
	}
	auto it = std::find_if(applied_.volumes.begin(), applied_.volumes.end(),
			       [&](const NvmetVolume& v) { return v.id == record.id; });
	if (it == applied_.volumes.end())
		return view;
	view.exported = true;
	view.ana_state = it->ana_state;
	view.ports = applied_.ports;
	return view;
}

} // namespace hpsd::exports
