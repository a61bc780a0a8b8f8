// SPDX-License-Identifier: GPL-2.0-only
#include "core/volume_setup.hpp"

#include "util/errno_text.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

namespace hpsd {

std::unique_ptr<hps::volume::Service> make_volume_service(const Config& config,
							   backend::RbdSession& rbd,
							   backend::RbdSession& channel_rbd, Logger& log)
{
	hps::volume::LogSink sink{[&log](const std::string& line) { log.info(line); },
				  [&log](const std::string& line) { log.error(line); }};
	std::vector<std::string> peers;
	for (const auto& p : config.replication.peers)
		peers.push_back(p.node);
	return std::make_unique<hps::volume::Service>(
		config.state_dir, hps::volume::pool_layout(config.cache_disks, config.partitions_per_disk),
		hps::volume::make_rbd_image_store(rbd, {&channel_rbd}), std::move(sink),
		config.node_name, std::move(peers));
}

bool start_volume_service(hps::volume::Service& service, const Config& config, Logger& log)
{
	std::error_code ec;
	std::filesystem::create_directories(config.state_dir, ec);
	if (ec) {
		log.error("state_dir " + config.state_dir + ": " + ec.message());
		return false;
	}
	// The registry decides which volume ids exist: root's business only.
	::chmod(config.state_dir.c_str(), 0700);
	if (auto started = service.start(); !started) {
		log.error(started.error());
		return false;
	}
	return true;
}

} // namespace hpsd
