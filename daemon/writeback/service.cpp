// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/service.hpp"

#include "volume/registry.hpp"
#include "writeback/pool_scan.hpp"

#include <filesystem>

namespace hpsd::writeback {
namespace {

constexpr std::uint64_t bytes_per_mb = 1000 * 1000;

} // namespace

EngineConfig engine_config(const Config& config)
{
	EngineConfig engine;
	engine.planner.rate_bytes_per_s = std::uint64_t{config.flush_bandwidth_mbps} * bytes_per_mb;
	return engine;
}

hps::Result<std::unique_ptr<WritebackService>, std::string>
WritebackService::start(const Config& config, backend::RbdSession& rbd, EngineLog log,
			ChannelIoctl ioctl, ReplicaCleaner* cleaner)
{
	auto self = std::make_unique<WritebackService>(Key{});
	self->kernel_ = std::make_unique<IoctlKernel>(std::move(ioctl));
	auto reader = UringReader::create();
	if (!reader)
		return hps::fail(reader.error());
	self->reader_ = std::move(reader).value();
	self->writer_ = std::make_unique<backend::RbdWriter>(rbd);
	auto thread = EngineThread::start(engine_config(config),
					  {*self->kernel_, *self->reader_, *self->writer_, cleaner},
					  [] { return scan_pools(); }, [state_dir = std::filesystem::path(config.state_dir)](std::uint32_t id) {
						  // Read again for each id the engine does not know yet.
						  return hps::volume::image_of(state_dir, id);
					  },
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
