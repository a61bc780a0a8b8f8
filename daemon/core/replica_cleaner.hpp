// SPDX-License-Identifier: GPL-2.0-only
// Writeback's ReplicaCleaner in hpsd: the CLEAN stamp is read from the
// primary volume's CleanGate (any thread, under a mutex here), and the
// ranges writeback cleaned go to the replication manager on the io thread
// (PROTOCOL.md, "Clean-mark propagation").
#pragma once

#include "replication/clean_gate.hpp"
#include "replication/manager.hpp"
#include "writeback/seams.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace hpsd {

class ReplicaCleanerBridge final : public writeback::ReplicaCleaner {
public:
	explicit ReplicaCleanerBridge(boost::asio::io_context& io) : io_(io) {}
	~ReplicaCleanerBridge() override { *alive_ = false; }
	ReplicaCleanerBridge(const ReplicaCleanerBridge&) = delete;
	ReplicaCleanerBridge& operator=(const ReplicaCleanerBridge&) = delete;

	// The io thread.  nullptr before the manager goes: CLEANs stop.
	void set_manager(replication::Manager* manager) { manager_ = manager; }
	// The io thread: a primary volume's gate (nullptr: it is gone).
	void set_gate(std::uint32_t volume, std::shared_ptr<const replication::CleanGate> gate);

	// The engine's thread.
	std::optional<writeback::CleanStamp> capture(std::uint32_t volume_id) override;
	void cleaned(std::uint32_t volume_id, writeback::CleanStamp stamp,
		     std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges) override;

private:
	boost::asio::io_context& io_;
	replication::Manager* manager_ = nullptr; // io thread only
	std::mutex mutex_;
	std::map<std::uint32_t, std::shared_ptr<const replication::CleanGate>> gates_;
	// Handlers posted to the io thread check it: the bridge may be gone.
	std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace hpsd
