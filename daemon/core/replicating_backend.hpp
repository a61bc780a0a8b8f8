// SPDX-License-Identifier: GPL-2.0-only
// The channel's backend when volumes replicate: REPLICATE and REPL_FLUSH go
// to the replication manager (on the io_context's thread), everything else
// to RBD; a write or discard of a replicated primary that goes to RBD also
// drops the peer's copy of those blocks (it would be stale), and completes
// once both ended.
//
// After the io_context stopped (hpsd shutting down) the manager is gone:
// REPLICATE and REPL_FLUSH then complete at once with success, as on a
// lost peer.  That is safe because a restarted hpsd knows nothing of the
// peer's copy and resyncs the whole volume before it counts on it again.
#pragma once

#include "channel/backend.hpp"
#include "replication/manager.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>

namespace hpsd {

class ReplicatingBackend final : public channel::Backend {
public:
	ReplicatingBackend(channel::Backend& rbd, boost::asio::io_context& io)
		: rbd_(rbd), io_(io)
	{
	}

	// Set on the io thread once the manager exists; cleared (nullptr)
	// before it goes.
	void attach(replication::Manager* manager);
	// Volumes whose RBD writes must drop the peer's copy.
	void set_primary(std::uint32_t volume, bool primary);

	void submit(const channel::Request& req, std::span<std::byte> data,
		    channel::CompletionSink& sink) override;

private:
	bool is_primary(std::uint32_t volume) const;

	channel::Backend& rbd_;
	boost::asio::io_context& io_;
	std::atomic<replication::Manager*> manager_{nullptr};
	mutable std::mutex mutex_;
	std::set<std::uint32_t> primaries_;
};

} // namespace hpsd
