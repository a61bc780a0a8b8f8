// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/service.hpp"

#include "volume/registry.hpp"
#include "writeback/pool_scan.hpp"

#include <filesystem>

namespace hpsd::writeback {
namespace {

constexpr std::uint64_t bytes_per_mb = 1000 * 1000;

// The image of a volume id, from <state_dir>/volumes.json, read again for
// each id the engine does not know yet (the engine caches what it finds).
ImageResolver registry_images(const Config& config)
{
	return [state_dir = std::filesystem::path(config.state_dir)](
		       std::uint32_t id) -> std::optional<std::string> {
		auto registry = hps::volume::Registry::load(state_dir);
		if (!registry)
			return std::nullopt;
		const auto* volume = registry->find_by_id(id);
		if (!volume)
			return std::nullopt;
		return volume->image;
	};
}

} // namespace

EngineConfig engine_config(const Config& config)
{
	EngineConfig engine;
	engine.planner.rate_bytes_per_s = std::uint64_t{config.flush_bandwidth_mbps} * bytes_per_mb;
	return engine;
}

hps::Result<std::unique_ptr<WritebackService>, std::string>
WritebackService::start(const Config& config, EngineLog log, ChannelIoctl ioctl)
{
	std::unique_ptr<WritebackService> self(new WritebackService());
	self->kernel_ = std::make_unique<IoctlKernel>(std::move(ioctl));
	auto reader = UringReader::create();
	if (!reader)
		return hps::fail(reader.error());
	self->reader_ = std::move(reader).value();
	self->writer_ = std::make_unique<backend::RbdWriter>(config.ceph, backend::RbdWriterTimeouts{},
							     log);
	auto thread = EngineThread::start(engine_config(config),
					  {*self->kernel_, *self->reader_, *self->writer_},
					  [] { return scan_pools(); }, registry_images(config),
					  std::move(log));
	if (!thread)
		return hps::fail(thread.error());
	self->thread_ = std::move(thread).value();
	return self;
}

WritebackService::~WritebackService()
{
	stop();
}

void WritebackService::stop()
{
	if (thread_)
		thread_->stop();
}

} // namespace hpsd::writeback
