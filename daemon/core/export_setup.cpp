// SPDX-License-Identifier: GPL-2.0-only
#include "core/export_setup.hpp"

#include "config/cluster_id.hpp"

#include <sys/stat.h>

namespace hpsd {

std::unique_ptr<exports::ExportService> make_export_service(const Config& config,
							     hps::volume::Service& volumes,
							     Logger& log)
{
	const auto& cluster = config.replication.cluster_id;
	auto source = [&volumes] {
		std::vector<exports::ExportVolume> list;
		for (const auto& record : volumes.records()) {
			struct stat st {};
			const std::string path = exports::volume_device_path(record);
			list.push_back({record, ::stat(path.c_str(), &st) == 0 && S_ISBLK(st.st_mode)});
		}
		return list;
	};
	auto service = std::make_unique<exports::ExportService>(
		config.exports, cluster ? cluster_id_text(*cluster) : std::string(),
		config.state_dir, std::move(source),
		exports::ExportLog{[&log](const std::string& line) { log.info(line); },
				   [&log](const std::string& line) { log.error(line); }});
	volumes.on_records_changed([s = service.get()] { (void)s->reconcile(); });
	return service;
}

hps::api::Json export_status_json(const exports::ExportService& service, const Config& config)
{
	using Json = hps::api::Json;
	const auto& nvme = config.exports.nvme;
	Json ports = Json::array();
	if (nvme)
		for (std::size_t i = 0; i < nvme->ports.size(); ++i) {
			const auto port = exports::nvmet_port(*nvme, i);
			ports.push_back(Json{{"id", port.id},
					     {"transport", port.trtype},
					     {"address", port.traddr},
					     {"service", port.trsvcid}});
		}
	const auto& iscsi = config.exports.iscsi;
	Json lio(nullptr);
	if (iscsi) {
		Json portals = Json::array();
		for (const auto& portal : iscsi->portals)
			portals.push_back(Json{{"address", portal.address}, {"port", portal.port}});
		lio = Json{{"tpg_tag", iscsi->tpg_tag}, {"portals", portals}};
	}
	const std::string* configfs =
		nvme ? &nvme->configfs : iscsi ? &iscsi->configfs : nullptr;
	return Json{{"enabled", service.enabled()},
		    {"nvme", service.nvme_enabled()},
		    {"iscsi", lio},
		    {"configfs", configfs ? Json(*configfs) : Json(nullptr)},
		    {"ports", ports},
		    {"hosts", service.hosts().hosts().size()},
		    {"applies", service.applies()},
		    {"last_changes", service.last_changes()},
		    {"last_error", service.last_error().empty() ? Json(nullptr)
								: Json(service.last_error())}};
}

} // namespace hpsd
