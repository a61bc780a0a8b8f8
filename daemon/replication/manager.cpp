// SPDX-License-Identifier: GPL-2.0-only
#include "replication/manager.hpp"

#include "replication/check.hpp"
#include "replication/secret_file.hpp"

#include <cerrno>

namespace hpsd::replication {
namespace {

bool is_primary_message(const Message& m)
{
	return std::holds_alternative<WriteAck>(m) || std::holds_alternative<FlushAck>(m) ||
	       std::holds_alternative<AttachAck>(m) || std::holds_alternative<CleanAck>(m);
}

} // namespace

hps::Result<std::unique_ptr<Manager>, std::string>
Manager::start(boost::asio::io_context& io, const Config& config, ManagerHooks hooks, LogFn log,
	       std::optional<TransportMaker> transport)
{
	auto manager = std::make_unique<Manager>(
		Key{}, io, config, std::move(hooks), std::move(log),
		transport ? std::move(*transport) : transport_maker(config.replication.transport));
	if (!config.replication.peers.empty())
		if (auto ok = manager->listen_and_dial(); !ok) {
			// The volumes still record their changes (degraded): a fixed
			// config and a restart resync them.
			manager->log(LogLevel::error,
				     "replication: no links (volumes stay degraded): " + ok.error());
			manager->peers_error_ = ok.error();
		}
	return manager;
}

Manager::Manager(Key, boost::asio::io_context& io, const Config& config, ManagerHooks hooks,
		 LogFn log, TransportMaker transport)
	: io_(io), config_(config), hooks_(std::move(hooks)), log_(std::move(log)),
	  transport_(std::move(transport)), timeout_timer_(io)
{
	for (const ReplicationPeer& p : config_.replication.peers)
		peers_[p.node].config = p;
}

Manager::~Manager()
{
	stop();
}

void Manager::log(LogLevel level, const std::string& line) const
{
	if (log_)
		log_(level, line);
}

hps::Result<void, std::string> Manager::listen_and_dial()
{
	const std::string transport = "replication.transport " + transport_.name;
	if (transport_.usable)
		if (auto ok = transport_.usable(); !ok)
			return hps::fail(transport + ": " + ok.error());
	auto secret = load_cluster_secret(config_.replication.secret_file);
	if (!secret)
		return hps::fail(std::move(secret).error());
	settings_ = link_settings(config_,
				  std::make_shared<const ClusterSecret>(std::move(secret).value()), log_);

	const auto on_link = [this](std::shared_ptr<Link> link) { this->on_link(std::move(link)); };
	listener_ = transport_.listener(io_, *settings_, on_link);
	if (auto ok = listener_->listen(config_.replication.listen); !ok)
		return hps::fail(transport + ", replication.listen " +
				 to_string(config_.replication.listen) + ": " + ok.error());
	for (const ReplicationPeer& p : config_.replication.peers) {
		Peer& peer = peers_[p.node];
		// One link a pair: the name that sorts first dials.
		if (config_.node_name < p.node) {
			peer.dialer = transport_.dialer(io_, *settings_, p.node, p.address, on_link);
			peer.dialer->start();
		}
	}
	log(LogLevel::info, "replication: listening on " + config_.replication.listen.host + ":" +
				    std::to_string(listener_->port()) + " (" + transport_.name +
				    ") for " + std::to_string(peers_.size()) + " peer(s)");
	check_timeouts();
	return {};
}

Manager::Peer* Manager::find_peer(const std::string& node)
{
	auto it = peers_.find(node);
	return it == peers_.end() ? nullptr : &it->second;
}

void Manager::on_link(std::shared_ptr<Link> link)
{
	if (stopped_) {
		link->close("hpsd is stopping");
		return;
	}
	Peer* peer = find_peer(link->peer().node);
	if (!peer) {
		log(LogLevel::warn, "replication: " + link->name() +
					    " is not a configured peer (replication.peers); closed");
		link->close("not a configured peer");
		return;
	}
	if (peer->link)
		close_link(*peer, "replaced by a new connection");
	peer->link = link;
	peer->last_error.clear();
	const std::string node = peer->config.node;
	link->start(LinkHandlers{
		[this, node](const Message& m) {
			if (Peer* p = find_peer(node))
				on_message(*p, m);
		},
		[this, node] {
			Peer* p = find_peer(node);
			if (!p)
				return;
			for (auto& [id, v] : primaries_)
				if (v->info().peer == node)
					v->writable();
			for (auto& [id, s] : p->secondaries)
				s->writable();
		},
		[this, node](const std::string& reason) {
			if (Peer* p = find_peer(node))
				lose(*p, reason);
		},
	});
	log(LogLevel::info, "replication: connected to " + link->name());
	for (auto& [id, v] : primaries_)
		if (v->info().peer == node)
			v->link_up(link);
}

void Manager::on_message(Peer& peer, const Message& message)
{
	const std::uint32_t volume = header_fields(message).volume;
	hps::Result<void, std::string> handled;
	if (is_primary_message(message)) {
		auto it = primaries_.find(volume);
		if (it == primaries_.end() || it->second->info().peer != peer.config.node) {
			// A volume removed here while the answer was on its way.
			log(LogLevel::debug, "replication: " + peer.config.node + ": " +
						     describe(message) + " for no volume; ignored");
			return;
		}
		handled = it->second->on_message(message);
	} else {
		auto it = peer.secondaries.find(volume);
		if (it == peer.secondaries.end()) {
			if (!std::holds_alternative<Attach>(message)) {
				close_link(peer, describe(message) + " before ATTACH of its volume");
				return;
			}
			// What this hpsd saw of the copy when the same primary's
			// last link ended (secondary_volume.hpp, "kept").
			bool was_in_sync = false;
			const auto& name = std::get<Attach>(message).name;
			if (auto lost = lost_secondaries_.find(name); lost != lost_secondaries_.end())
				was_in_sync = lost->second.in_sync &&
					      lost->second.primary == peer.config.node;
			ApplierOptions options;
			it = peer.secondaries
				     .emplace(volume, std::make_unique<SecondaryVolume>(
							      io_, peer.link, log_, options, hooks_.mark_clean,
							      was_in_sync))
				     .first;
		}
		handled = it->second->on_message(message, hooks_.ensure_secondary);
	}
	if (!handled)
		close_link(peer, handled.error());
}

void Manager::close_link(Peer& peer, const std::string& reason)
{
	if (!peer.link)
		return;
	log(LogLevel::warn, "replication: closing " + peer.link->name() + ": " + reason);
	peer.link->close(reason);
	lose(peer, reason);
}

void Manager::lose(Peer& peer, const std::string& reason)
{
	if (!peer.link)
		return;
	peer.link.reset();
	peer.last_error = reason;
	for (const auto& [id, v] : peer.secondaries)
		if (!v->name().empty())
			lost_secondaries_[v->name()] = {true, false, v->in_sync(), peer.config.node};
	peer.secondaries.clear();
	for (auto& [id, v] : primaries_)
		if (v->info().peer == peer.config.node)
			v->link_lost(reason);
}

void Manager::check_timeouts()
{
	if (stopped_)
		return;
	const auto limit = std::chrono::milliseconds(config_.replication.peer_timeout_ms);
	const auto now = std::chrono::steady_clock::now();
	for (auto& [node, peer] : peers_) {
		if (!peer.link)
			continue;
		for (auto& [id, v] : primaries_) {
			if (v->info().peer != node)
				continue;
			auto oldest = v->oldest_wait();
			if (oldest && now - *oldest > limit) {
				close_link(peer, "volume " + v->info().name + ": no answer for " +
							 std::to_string(config_.replication.peer_timeout_ms) +
							 " ms");
				break;
			}
		}
	}
	timeout_timer_.expires_after(limit / 4);
	timeout_timer_.async_wait([this](const boost::system::error_code& ec) {
		if (!ec)
			check_timeouts();
	});
}

void Manager::add_primary(PrimaryVolumeInfo info, PeerCopy peer_copy)
{
	const std::uint32_t id = info.id;
	const std::string peer_node = info.peer;
	PrimaryVolumeHooks hooks;
	hooks.barrier = [this, id](std::function<void()> switch_live,
				   std::function<void(std::string)> done) {
		hooks_.barrier(id, std::move(switch_live), std::move(done));
	};
	hooks.read = [this, id](std::uint64_t offset, std::span<std::byte> into,
				std::function<void(int)> done) {
		hooks_.read(id, offset, into, std::move(done));
	};
	hooks.link_failed = [this, peer_node](const std::string& reason) {
		if (Peer* p = find_peer(peer_node))
			lose(*p, reason);
	};
	if (hooks_.record_outdated)
		hooks.record_outdated =
			[this, id](std::function<void(OutdatedRecord, std::string)> done) {
				hooks_.record_outdated(id, std::move(done));
			};
	if (hooks_.clear_outdated)
		hooks.clear_outdated = [this, id] { hooks_.clear_outdated(id); };
	hooks.log = log_;
	auto volume = std::make_unique<PrimaryVolume>(io_, std::move(info), std::move(hooks),
						      config_.recovery_bandwidth_mbps, peer_copy);
	if (!find_peer(peer_node))
		log(LogLevel::warn, "replication: volume " + volume->info().name + ": its replica node " +
					    peer_node + " is not in replication.peers; it stays degraded");
	auto [it, inserted] = primaries_.insert_or_assign(id, std::move(volume));
	(void)inserted;
	if (Peer* p = find_peer(peer_node); p && p->link)
		it->second->link_up(p->link);
}

void Manager::remove_primary(std::uint32_t volume)
{
	primaries_.erase(volume);
}

void Manager::replicate(std::uint32_t volume, std::uint64_t offset, std::span<const std::byte> data,
			bool fua, Done done)
{
	auto it = primaries_.find(volume);
	if (it == primaries_.end()) {
		// The kernel calls this volume a primary and hpsd knows no peer
		// for it: completing would claim a second copy that is nowhere.
		log(LogLevel::error, "replication: REPLICATE for volume " + std::to_string(volume) +
					     ", which is not a replicated volume here; failed");
		done(-EIO);
		return;
	}
	it->second->replicate(offset, data, fua, std::move(done));
}

void Manager::flush(std::uint32_t volume, Done done)
{
	auto it = primaries_.find(volume);
	if (it == primaries_.end()) {
		done(-EIO);
		return;
	}
	it->second->flush(std::move(done));
}

void Manager::drop(std::uint32_t volume, std::uint64_t offset, std::uint64_t length, Done done)
{
	auto it = primaries_.find(volume);
	if (it == primaries_.end()) {
		done(0); // not replicated: no copy to drop
		return;
	}
	it->second->drop(offset, length, std::move(done));
}

void Manager::clean(std::uint32_t volume, CleanMark mark,
		    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges)
{
	if (auto it = primaries_.find(volume); it != primaries_.end())
		it->second->clean(mark, ranges);
}

std::shared_ptr<const CleanGate> Manager::clean_gate(std::uint32_t volume) const
{
	auto it = primaries_.find(volume);
	return it == primaries_.end() ? nullptr : it->second->clean_gate();
}

std::optional<PrimaryVolumeStatus> Manager::primary_status(std::uint32_t volume) const
{
	auto it = primaries_.find(volume);
	if (it == primaries_.end())
		return std::nullopt;
	return it->second->status();
}

std::vector<PeerStatus> Manager::peers() const
{
	std::vector<PeerStatus> out;
	for (const auto& [node, peer] : peers_) {
		PeerStatus s;
		s.node = node;
		s.address = peer.config.address.host + ":" + std::to_string(peer.config.address.port);
		s.connected = peer.link != nullptr;
		if (peer.link)
			s.link = peer.link->name();
		s.last_error = peer.last_error.empty() ? peers_error_ : peer.last_error;
		for (const auto& [id, v] : peer.secondaries)
			s.secondaries.push_back(v->status());
		out.push_back(std::move(s));
	}
	return out;
}

void Manager::stop()
{
	if (stopped_)
		return;
	stopped_ = true;
	timeout_timer_.cancel();
	if (listener_)
		listener_->stop();
	for (auto& [node, peer] : peers_) {
		if (peer.dialer)
			peer.dialer->stop();
		if (peer.link) {
			peer.link->close("hpsd is stopping");
			lose(peer, "hpsd is stopping");
		}
	}
	for (auto& [id, v] : primaries_)
		v->stop();
}

SecondaryState Manager::secondary_state(const std::string& name) const
{
	for (const auto& [node, peer] : peers_)
		for (const auto& [id, v] : peer.secondaries)
			if (v->name() == name)
				return {true, true, v->in_sync(), node};
	if (auto it = lost_secondaries_.find(name); it != lost_secondaries_.end())
		return it->second;
	return {};
}

} // namespace hpsd::replication
