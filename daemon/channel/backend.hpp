// SPDX-License-Identifier: GPL-2.0-only
// What serves the kernel channel's requests: the seam between the channel
// (io_uring, tags, the shared area) and the storage behind it (librbd in
// hpsd, a fake in the unit tests).
#pragma once

#include "channel/request.hpp"

#include <climits>
#include <cstddef>
#include <cstdint>
#include <span>

namespace hpsd::channel {

// A result that is no result: the request is not answered, and the kernel
// queues it again for the next hpsd when this one's channel closes.  For
// a backend that cannot serve a request correctly while hpsd shuts down
// (a replicated write with replication gone); never while serving goes on,
// as the tag stays unusable until then.
inline constexpr int result_requeue = INT_MIN;

// Where a backend reports a finished request.  Called exactly once per
// submitted request, from any thread (librbd calls back on its own).
class CompletionSink {
public:
	// result: 0 or a negative errno, as the kernel will see it, or
	// result_requeue.
	virtual void complete(std::uint16_t tag, int result) noexcept = 0;

protected:
	~CompletionSink() = default;
};

class Backend {
public:
	virtual ~Backend() = default;

	// Starts `req`.  For read and write, `data` is the request's part of its
	// tag's buffer (exactly req.len bytes): a read fills it, a write takes
	// from it; it stays valid and untouched by the channel until the
	// completion.  Must not block for long: it runs on the ring's thread.
	virtual void submit(const Request& req, std::span<std::byte> data,
			    CompletionSink& sink) = 0;
};

} // namespace hpsd::channel
