// SPDX-License-Identifier: GPL-2.0-only
// The channel's per-tag state machine, apart from io_uring so that it is
// tested with a fake ring and a fake backend.
//
// A tag is, from hpsd's side:
//   posted    a FETCH or COMMIT_AND_FETCH of it is in the kernel
//   backend   its request is with the backend
//   held      its request arrived while stopping, or the backend gave it
//             back (result_requeue): never committed (the kernel queues
//             it again when this thread ends)
//   dead      its command failed; nothing of it is in flight
// posted -> backend (request) -> posted (commit), posted -> dead (error,
// or -ECANCELED: the kernel stopped serving us), posted -> held,
// backend -> held (result_requeue).
#pragma once

#include "channel/backend.hpp"
#include "channel/request.hpp"
#include "config/config.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

struct hps_io_desc;

namespace hpsd::channel {

using LogFn = std::function<void(LogLevel, std::string_view)>;

// What the engine needs of the io_uring: queue commands (submitted by the
// caller's loop).
class Ring {
public:
	virtual void post_fetch(std::uint16_t tag) = 0;
	virtual void post_commit(std::uint16_t tag, int result) = 0;

protected:
	~Ring() = default;
};

struct EngineCounters {
	std::uint64_t served = 0; // requests committed with 0
	std::uint64_t failed = 0; // committed with an error (backend or refused descriptor)
	std::uint64_t protocol_errors = 0; // commands the kernel refused, unexpected events
};

class Engine {
public:
	enum class TagState { posted, backend, held, dead };

	Engine(std::uint16_t nr_tags, std::uint32_t io_bytes, Ring& ring, Backend& backend,
	       CompletionSink& sink, LogFn log);

	// Posts a FETCH for every tag.
	void start();

	// A command of `tag` completed with cqe->res `res`.  When res is 0,
	// `desc` is a copy of the tag's descriptor and `buffer` its whole buffer.
	void on_command(std::uint16_t tag, int res, const hps_io_desc& desc,
			std::span<std::byte> buffer);

	// The backend finished the request of `tag`.
	void on_backend_done(std::uint16_t tag, int result);

	// From now on requests that arrive are held, not started.
	void begin_stop() noexcept { stopping_ = true; }
	bool stopping() const noexcept { return stopping_; }
	// The kernel cancelled a fetch or refused a command: serving is over.
	bool failed() const noexcept { return failed_; }
	// Requests with the backend.
	std::size_t in_backend() const noexcept { return in_backend_; }

	TagState state(std::uint16_t tag) const { return tags_.at(tag); }
	const EngineCounters& counters() const noexcept { return counters_; }

private:
	void commit(std::uint16_t tag, int result);

	std::uint32_t io_bytes_;
	Ring& ring_;
	Backend& backend_;
	CompletionSink& sink_;
	LogFn log_;
	std::vector<TagState> tags_;
	std::size_t in_backend_ = 0;
	bool stopping_ = false;
	bool failed_ = false;
	EngineCounters counters_;
};

} // namespace hpsd::channel
