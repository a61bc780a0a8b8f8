// SPDX-License-Identifier: GPL-2.0-only
// hpsd's replication: one link per configured peer, the volumes this node
// is primary of (PrimaryVolume) and the copies it holds for its peers
// (SecondaryVolume, per link), and the routing of every message between
// them.
//
// Who connects: of two peers, the one whose node name sorts first dials,
// the other only accepts, so a pair has one link (the handshake
// authenticates both ways).  A link from a node that is not a configured
// peer is closed.  The dialer dials again whenever its link ends.
//
// A peer that does not ack a write or flush within peer_timeout_ms is
// treated as lost even if its keepalives still come (a hung disk there must
// not hang this node's writes): the link is closed and its volumes go
// degraded.
//
// Everything runs on the io_context's thread; the channel's requests are
// posted there by the caller.
#pragma once

#include "config/config.hpp"
#include "replication/link_settings.hpp"
#include "replication/primary_volume.hpp"
#include "replication/secondary_volume.hpp"
#include "replication/transport.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hpsd::replication {

struct ManagerHooks {
	EnsureSecondary ensure_secondary;
	// The secondaries' WB_CLEAN (SecondaryVolume); none: nothing is marked.
	MarkSecondaryClean mark_clean;
	// PrimaryVolumeHooks' barrier and read, for the volume with this id.
	std::function<void(std::uint32_t volume, std::function<void()> switch_live,
			   std::function<void(std::string)> done)>
		barrier;
	std::function<void(std::uint32_t volume, std::uint64_t offset, std::span<std::byte> into,
			   std::function<void(int)> done)>
		read;
	// PrimaryVolumeHooks' record_outdated and clear_outdated, for the
	// volume with this id; unset: not used.
	std::function<void(std::uint32_t volume,
			   std::function<void(OutdatedRecord, std::string)> done)>
		record_outdated;
	std::function<void(std::uint32_t volume)> clear_outdated;
};

// What this node knows of its copy of a peer's volume, for a promotion.
struct SecondaryState {
	bool known = false;	// attached since hpsd started
	bool connected = false; // the primary's link is up and has it attached
	bool in_sync = false;	// now, or when the link was lost
	std::string primary;	// the node it was attached by
};

struct PeerStatus {
	std::string node;
	std::string address;
	bool connected = false;
	std::string link; // the link's name while connected
	std::string last_error;
	std::vector<SecondaryVolumeStatus> secondaries;
};

class Manager {
public:
	// Starts listening and dialling, over replication.transport (or
	// `transport`, for tests), when the config lists peers.  Without
	// peers, or when the links cannot start (no secret, the address is
	// taken, no RDMA device: logged, naming the transport), the manager
	// still keeps its volumes' change logs (degraded).  Fails only on a
	// bug.
	static hps::Result<std::unique_ptr<Manager>, std::string>
	start(boost::asio::io_context& io, const Config& config, ManagerHooks hooks, LogFn log,
	      std::optional<TransportMaker> transport = std::nullopt);

	class Key {
		friend class Manager;
		Key() = default;
	};
	Manager(Key, boost::asio::io_context& io, const Config& config, ManagerHooks hooks, LogFn log,
		TransportMaker transport);
	~Manager();
	Manager(const Manager&) = delete;
	Manager& operator=(const Manager&) = delete;

	// Volumes this node is primary of, with what is known of the peer's
	// copy (primary_volume.hpp).
	void add_primary(PrimaryVolumeInfo info, PeerCopy peer_copy);
	void remove_primary(std::uint32_t volume);
	bool is_primary(std::uint32_t volume) const { return primaries_.count(volume) != 0; }

	// The channel's requests of a primary volume; `done(0 or -errno)`.
	void replicate(std::uint32_t volume, std::uint64_t offset, std::span<const std::byte> data,
		       bool fua, Done done);
	void flush(std::uint32_t volume, Done done);
	void drop(std::uint32_t volume, std::uint64_t offset, std::uint64_t length, Done done);

	// Writeback wrote these ranges of a primary volume back (PrimaryVolume::clean).
	void clean(std::uint32_t volume, CleanMark mark,
		   const std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges);
	// The gate writeback reads (clean_gate.hpp); null for no such primary.
	std::shared_ptr<const CleanGate> clean_gate(std::uint32_t volume) const;

	std::optional<PrimaryVolumeStatus> primary_status(std::uint32_t volume) const;
	SecondaryState secondary_state(const std::string& name) const;
	std::vector<PeerStatus> peers() const;

	// Closes every link (GOODBYE) and stops dialling.
	void stop();

private:
	struct Peer {
		ReplicationPeer config;
		std::unique_ptr<Dialer> dialer;
		std::shared_ptr<Link> link;
		std::string last_error;
		std::map<std::uint32_t, std::unique_ptr<SecondaryVolume>> secondaries; // by primary's id
	};

	hps::Result<void, std::string> listen_and_dial();
	void on_link(std::shared_ptr<Link> link);
	void on_message(Peer& peer, const Message& message);
	void lose(Peer& peer, const std::string& reason);
	void close_link(Peer& peer, const std::string& reason);
	void check_timeouts();
	Peer* find_peer(const std::string& node);
	void log(LogLevel level, const std::string& line) const;

	boost::asio::io_context& io_;
	const Config& config_;
	ManagerHooks hooks_;
	LogFn log_;
	std::optional<LinkSettings> settings_;
	TransportMaker transport_;
	std::unique_ptr<Listener> listener_;
	std::map<std::string, Peer> peers_; // by node
	std::map<std::uint32_t, std::unique_ptr<PrimaryVolume>> primaries_;
	// Copies whose link was lost: their state then (by volume name).
	std::map<std::string, SecondaryState> lost_secondaries_;
	boost::asio::steady_timer timeout_timer_;
	bool stopped_ = false;
	std::string peers_error_; // why there are no links at all
};

} // namespace hpsd::replication
