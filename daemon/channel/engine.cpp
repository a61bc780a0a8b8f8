// SPDX-License-Identifier: GPL-2.0-only
#include "channel/engine.hpp"

#include "util/errno_text.hpp"

#include <linux/dm-hps.h>

#include <cerrno>
#include <string>

namespace hpsd::channel {

Engine::Engine(std::uint16_t nr_tags, std::uint32_t io_bytes, Ring& ring, Backend& backend,
	       CompletionSink& sink, LogFn log)
	: io_bytes_(io_bytes), ring_(ring), backend_(backend), sink_(sink), log_(std::move(log)),
	  tags_(nr_tags, TagState::dead)
{
}

void Engine::start()
{
	for (std::size_t tag = 0; tag < tags_.size(); tag++) {
		tags_[tag] = TagState::posted;
		ring_.post_fetch(static_cast<std::uint16_t>(tag));
	}
}

void Engine::commit(std::uint16_t tag, int result)
{
	if (result == 0)
		counters_.served++;
	else
		counters_.failed++;
	tags_[tag] = TagState::posted;
	ring_.post_commit(tag, result);
}

void Engine::on_command(std::uint16_t tag, int res, const hps_io_desc& desc,
			std::span<std::byte> buffer)
{
	if (tag >= tags_.size() || tags_[tag] != TagState::posted) {
		counters_.protocol_errors++;
		log_(LogLevel::error, "channel: completion for tag " + std::to_string(tag) +
					      " that has no command in the kernel: ignored");
		return;
	}
	if (res < 0) {
		tags_[tag] = TagState::dead;
		failed_ = true;
		if (res == -ECANCELED) {
			log_(LogLevel::info, "channel: the kernel cancelled the fetch of tag " +
						     std::to_string(tag) + ": serving ends");
		} else {
			counters_.protocol_errors++;
			log_(LogLevel::error, "channel: the kernel refused a command of tag " +
						      std::to_string(tag) + ": " +
						      hps::errno_text(-res) + "; serving ends");
		}
		return;
	}
	if (stopping_) {
		tags_[tag] = TagState::held;
		return;
	}

	auto decoded = decode(desc, tag, io_bytes_);
	if (!decoded) {
		log_(LogLevel::error, "channel: bad descriptor: " + decoded.error().message);
		commit(tag, -decoded.error().error);
		return;
	}
	const Request& req = *decoded;
	std::span<std::byte> data;
	if (req.op == Op::read || req.op == Op::write || req.op == Op::replicate)
		data = buffer.first(static_cast<std::size_t>(req.len));
	tags_[tag] = TagState::backend;
	in_backend_++;
	backend_.submit(req, data, sink_);
}

void Engine::on_backend_done(std::uint16_t tag, int result)
{
	if (tag >= tags_.size() || tags_[tag] != TagState::backend) {
		counters_.protocol_errors++;
		log_(LogLevel::error, "channel: backend finished tag " + std::to_string(tag) +
					      ", which it did not have: ignored");
		return;
	}
	in_backend_--;
	if (result == result_requeue) {
		// Not committed: the kernel hands it to the next hpsd.
		tags_[tag] = TagState::held;
		return;
	}
	if (result > 0 || result < -4095) {
		log_(LogLevel::error, "channel: backend answered " + std::to_string(result) +
					      " for tag " + std::to_string(tag) + ": sent as EIO");
		result = -EIO;
	}
	commit(tag, result);
}

} // namespace hpsd::channel
