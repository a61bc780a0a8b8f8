// SPDX-License-Identifier: GPL-2.0-only
// The channel's backend when volumes replicate: REPLICATE and REPL_FLUSH go
// to the replication manager (on the io_context's thread), everything else
// to RBD; a write or discard of a replicated primary that goes to RBD also
// drops the peer's copy of those blocks (it would be stale), and completes
// once both ended.
//
// The channel serves requests before replication is up (it starts first,
// and a restarted hpsd is handed at once what the last one left), so
// requests that change data -- REPLICATE, REPL_FLUSH, WRITE, DISCARD --
// wait until start(): completed before the manager knows its volumes, a
// primary's write would reach neither the peer, nor the change log, nor the
// outdated-peer record, and a promotion of the peer would drop it. Reads
// and flushes go on.  Once replication stopped (hpsd shutting down) a
// replicated primary's requests are given back to the kernel
// (result_requeue) for the next hpsd, for the same reason.
#pragma once

#include "channel/backend.hpp"
#include "replication/manager.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <vector>

namespace hpsd {

class ReplicatingBackend final : public channel::Backend {
public:
	ReplicatingBackend(channel::Backend& rbd, boost::asio::io_context& io)
		: rbd_(rbd), io_(io)
	{
	}

	// On the io thread, once the manager exists and knows this node's
	// primaries (set_primary): the requests that waited go on.
	void start(replication::Manager* manager);
	// Replication could not start (a bug): data-changing requests go on,
	// and REPLICATE and REPL_FLUSH fail (EIO) rather than claim a copy.
	void start_unreplicated();
	// Before the manager goes: replicated primaries' requests are given
	// back to the kernel from now on.
	void stop();
	// Volumes whose RBD writes must drop the peer's copy.
	void set_primary(std::uint32_t volume, bool primary);

	void submit(const channel::Request& req, std::span<std::byte> data,
		    channel::CompletionSink& sink) override;

private:
	enum class Phase : std::uint8_t { starting, running, unreplicated, stopped };
	struct Waiting {
		channel::Request req;
		std::span<std::byte> data;
		channel::CompletionSink* sink;
	};

	bool is_primary(std::uint32_t volume) const;
	// Leaves `starting` for `phase` and submits what waited.
	void release(Phase phase);
	// What a request gets when no manager is there: `unreplicated` before
	// stop(), result_requeue after it.
	int without_manager(int unreplicated) const;
	void route(const channel::Request& req, std::span<std::byte> data,
		   channel::CompletionSink& sink);

	channel::Backend& rbd_;
	boost::asio::io_context& io_;
	std::atomic<replication::Manager*> manager_{nullptr};
	std::atomic<Phase> phase_{Phase::starting};
	mutable std::mutex mutex_;
	std::set<std::uint32_t> primaries_;
	std::vector<Waiting> waiting_; // while starting
};

} // namespace hpsd
