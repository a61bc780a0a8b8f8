// SPDX-License-Identifier: GPL-2.0-only
#include "export/export_service.hpp"

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

ExportService::ExportService(std::optional<NvmeExportConfig> nvme, std::string cluster_id,
			     std::filesystem::path state_dir, VolumeSource volumes, ExportLog log,
			     std::unique_ptr<Configfs> fs)
	: nvme_(std::move(nvme)), cluster_id_(std::move(cluster_id)),
	  state_dir_(std::move(state_dir)), volumes_(std::move(volumes)), log_(std::move(log)),
	  fs_(std::move(fs))
{
	if (nvme_ && !fs_)
		fs_ = std::make_unique<PosixConfigfs>(nvme_->configfs);
}

hps::Result<void, std::string> ExportService::start()
{
	auto loaded = HostStore::load(state_dir_);
	if (!loaded)
		return hps::fail(loaded.error());
	hosts_ = std::move(loaded).value();
	started_ = true;
	if (!nvme_) {
		say(log_.info, "export: off (no export.nvme in the config); " +
			  std::to_string(hosts_.hosts().size()) + " hosts known");
		return {};
	}
	// Not fatal: hpsd serves its volumes without export, and says why.
	(void)reconcile();
	return {};
}

hps::Result<void, std::string> ExportService::reconcile()
{
	// Before start() the hosts are not loaded: applying then would take
	// down what a previous hpsd exported (a volume demoted while the
	// volume service starts calls here first).
	if (!nvme_ || !started_)
		return {};
	const std::vector<ExportVolume> volumes = volumes_ ? volumes_() : std::vector<ExportVolume>{};
	NvmetState desired = desired_nvmet_state(*nvme_, cluster_id_, volumes, hosts_);
	NvmetWriter writer(*fs_);
	auto applied = writer.apply(desired);
	++applies_;
	if (!applied) {
		// Only logged when it changes, so a broken configfs does not fill
		// the log with one line per request.
		if (applied.error() != last_error_)
			say(log_.error, "export: " + applied.error() +
				   " (nvmet left as it was; retried with the next change)");
		last_error_ = applied.error();
		last_changes_ = 0;
		return hps::fail(last_error_);
	}
	if (!last_error_.empty() || *applied > 0)
		say(log_.info, "export: nvmet up to date: " + std::to_string(desired.volumes.size()) +
			  " volumes on " + std::to_string(desired.ports.size()) + " ports (" +
			  std::to_string(*applied) + " changes)");
	last_error_.clear();
	last_changes_ = *applied;
	applied_ = std::move(desired);
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
	view.nqn = volume_nqn(record.id);
	for (const Host* host : hosts_.hosts_of(record.name))
		view.hosts.push_back(host->name);
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
