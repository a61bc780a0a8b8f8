// SPDX-License-Identifier: GPL-2.0-only
#include "backend/rbd_backend.hpp"

#include <cerrno>

namespace hpsd::backend {

RbdBackend::RbdBackend(RbdSession& session, VolumeResolver resolve, channel::LogFn log)
	: resolve_(std::move(resolve)), log_(std::move(log)), images_(session)
{
}

hps::Result<std::string, int> RbdBackend::image_name(std::uint32_t volume_id)
{
	auto name = resolve_(volume_id);
	if (!name) {
		if (reported_.insert(volume_id).second)
			log_(LogLevel::error, "backend: volume id " + std::to_string(volume_id) +
				     " is not a known volume: its I/O fails (ENXIO)");
		return hps::fail(-ENXIO);
	}
	reported_.erase(volume_id);
	log_(LogLevel::info, "backend: volume " + std::to_string(volume_id) + " is image " + *name);
	return *std::move(name);
}

void RbdBackend::submit(const channel::Request& req, std::span<std::byte> data,
			channel::CompletionSink& sink)
{
	using channel::Op;
	// Small enough for std::function to keep without an allocation.
	auto done = [&sink, tag = req.tag](int r) { sink.complete(tag, r); };
	const int r = images_.start(
		req.volume_id, [&] { return image_name(req.volume_id); },
		[&](const RbdImage& image) {
			switch (req.op) {
			case Op::read:
				image.read(req.offset, data, done);
				break;
			case Op::write:
				image.write(req.offset, data, req.fua, done);
				break;
			case Op::discard:
				image.discard(req.offset, req.len, done);
				break;
			case Op::flush:
				image.flush(done);
				break;
			case Op::replicate:
			case Op::repl_flush:
				// The replication manager's, never RBD's: a request
				// routed here by mistake must not reach the image.
				done(-EINVAL);
				break;
			}
		});
	if (r < 0)
		done(r);
}

} // namespace hpsd::backend
