// SPDX-License-Identifier: GPL-2.0-only
#include "replication/handshake.hpp"

#include "replication/byte_io.hpp"
#include "replication/check.hpp"

#include <algorithm>
#include <cstdio>

namespace hpsd::replication {
namespace {

// Prefixes the MAC input, so these MACs can never be mistaken for MACs of
// anything else keyed with the same secret.
constexpr char mac_label[] = "hps replication handshake";

std::string range(std::uint16_t lo, std::uint16_t hi)
{
	return std::to_string(lo) + ".." + std::to_string(hi);
}

std::string hex(const ClusterId& id)
{
	std::string s;
	char buf[4];
	for (std::uint8_t b : id) {
		std::snprintf(buf, sizeof(buf), "%02x", b);
		s += buf;
	}
	return s;
}

void put_node(ByteWriter& w, const std::string& node)
{
	w.u8(static_cast<std::uint8_t>(node.size()));
	w.bytes(std::as_bytes(std::span(node)));
}

} // namespace

hps::Result<Handshake, std::string> Handshake::create(Role role, HandshakeConfig config,
						      const ClusterSecret& secret,
						      NonceSource& nonces)
{
	if (!is_node_id(config.node))
		return hps::fail("handshake: node id \"" + config.node + "\" is not 1.." +
				 std::to_string(max_node_id_chars) + " of A-Za-z0-9._-");
	if (config.expected_peer && !is_node_id(*config.expected_peer))
		return hps::fail("handshake: expected peer \"" + *config.expected_peer +
				 "\" is not a node id");
	if (config.min_version < oldest_version || config.max_version > newest_version ||
	    config.min_version > config.max_version)
		return hps::fail("handshake: versions " + range(config.min_version, config.max_version) +
				 " not within " + range(oldest_version, newest_version));
	if (config.max_write_bytes < min_write_limit || config.max_write_bytes > max_write_limit ||
	    config.max_write_bytes % sector_bytes != 0)
		return hps::fail("handshake: max_write_bytes " + std::to_string(config.max_write_bytes) +
				 " not a multiple of " + std::to_string(sector_bytes) + " in " +
				 std::to_string(min_write_limit) + ".." + std::to_string(max_write_limit));
	return Handshake(role, std::move(config), secret, nonces);
}

Handshake::Handshake(Role role, HandshakeConfig config, const ClusterSecret& secret,
		     NonceSource& nonces)
	: role_(role), config_(std::move(config)), secret_(&secret), nonces_(&nonces)
{
}

std::uint16_t Handshake::send_version() const noexcept
{
	return peer_.version != 0 ? peer_.version : config_.min_version;
}

Limits Handshake::receive_limits() const noexcept
{
	Limits limits;
	limits.min_version = peer_.version != 0 ? peer_.version : config_.min_version;
	limits.max_version = peer_.version != 0 ? peer_.version : config_.max_version;
	limits.max_write_bytes = config_.max_write_bytes;
	return limits;
}

HandshakeFailure Handshake::fail(ErrorCode code, std::string reason, std::string text)
{
	state_ = State::failed;
	return HandshakeFailure{std::move(reason), Error{code, std::move(text)}};
}

Handshake::Step Handshake::start()
{
	if (state_ != State::idle)
		return hps::fail(fail(ErrorCode::protocol, "handshake started twice", "handshake error"));
	if (role_ == Role::acceptor) {
		state_ = State::awaiting_hello;
		return std::optional<Message>{};
	}
	hello_.min_version = config_.min_version;
	hello_.max_version = config_.max_version;
	hello_.max_write_bytes = config_.max_write_bytes;
	hello_.cluster = config_.cluster;
	hello_.node = config_.node;
	if (auto ok = nonces_->fill(hello_.nonce); !ok) {
		// Nothing was sent: nothing to explain to the peer.
		state_ = State::failed;
		return hps::fail(HandshakeFailure{"handshake: " + ok.error(), std::nullopt});
	}
	state_ = State::hello_sent;
	return std::optional<Message>{hello_};
}

Handshake::Step Handshake::receive(const Message& message)
{
	const MessageType type = type_of(message);
	if (const auto* e = std::get_if<Error>(&message)) {
		state_ = State::failed;
		return hps::fail(HandshakeFailure{"peer refused the handshake: " + to_string(e->code) +
							  ": " + e->text,
						  std::nullopt});
	}
	if (type == MessageType::goodbye) {
		state_ = State::failed;
		return hps::fail(HandshakeFailure{"peer said GOODBYE during the handshake", std::nullopt});
	}

	MessageType expected = MessageType::hello;
	switch (state_) {
	case State::hello_sent:
		if (const auto* c = std::get_if<Challenge>(&message))
			return on_challenge(*c);
		expected = MessageType::challenge;
		break;
	case State::awaiting_hello:
		if (const auto* h = std::get_if<Hello>(&message))
			return on_hello(*h);
		expected = MessageType::hello;
		break;
	case State::response_sent:
	case State::challenge_sent:
		if (const auto* r = std::get_if<Response>(&message))
			return on_response(*r);
		expected = MessageType::response;
		break;
	case State::idle:
		return hps::fail(fail(ErrorCode::protocol,
				      "handshake: " + std::string(to_string(type)) + " before start()",
				      "handshake error"));
	case State::established:
		return hps::fail(fail(ErrorCode::protocol,
				      "handshake: " + std::string(to_string(type)) +
					      " passed to a finished handshake",
				      "handshake error"));
	case State::failed:
		return hps::fail(HandshakeFailure{"handshake: " + std::string(to_string(type)) +
							  " after the handshake failed",
						  std::nullopt});
	}
	const std::string got(to_string(type));
	return hps::fail(fail(ErrorCode::protocol,
			      "handshake: " + got + " while waiting for " +
				      std::string(to_string(expected)),
			      "unexpected " + got + " during the handshake"));
}

hps::Result<void, HandshakeFailure> Handshake::check_peer(const std::string& node,
							  const ClusterId& cluster)
{
	if (cluster != config_.cluster)
		return hps::fail(fail(ErrorCode::cluster,
				      "handshake: peer " + node + " is in cluster " + hex(cluster) +
					      ", this node in " + hex(config_.cluster),
				      "wrong cluster id"));
	if (node == config_.node)
		return hps::fail(fail(ErrorCode::node,
				      "handshake: peer has this node's id " + node +
					      " (connected to itself?)",
				      "node id " + node + " is the receiver's own"));
	if (config_.expected_peer && node != *config_.expected_peer)
		return hps::fail(fail(ErrorCode::node,
				      "handshake: peer is node " + node + ", expected " +
					      *config_.expected_peer,
				      "node " + *config_.expected_peer + " expected, not " + node));
	return {};
}

// Initiator: the acceptor's CHALLENGE.
Handshake::Step Handshake::on_challenge(const Challenge& c)
{
	if (auto ok = check_peer(c.node, c.cluster); !ok)
		return hps::fail(std::move(ok).error());
	if (c.version < config_.min_version || c.version > config_.max_version)
		return hps::fail(fail(ErrorCode::version,
				      "handshake: peer " + c.node + " chose version " +
					      std::to_string(c.version) + ", this node speaks " +
					      range(config_.min_version, config_.max_version),
				      "version " + std::to_string(c.version) + " not in " +
					      range(config_.min_version, config_.max_version)));
	// A peer that answers with our own nonce would have us MAC a
	// transcript it could have made us MAC before (reflection, replay).
	if (equal_constant_time(c.nonce, hello_.nonce))
		return hps::fail(fail(ErrorCode::auth,
				      "handshake: peer " + c.node + " sent back this node's nonce",
				      "nonce replayed"));
	challenge_ = c;
	peer_ = Peer{c.node, c.version, c.max_write_bytes};
	auto mac = mac_by(Role::initiator);
	if (!mac)
		return hps::fail(fail(ErrorCode::internal, "handshake: " + mac.error(), "internal error"));
	state_ = State::response_sent;
	return std::optional<Message>{Response{*mac}};
}

// Acceptor: the initiator's HELLO.
Handshake::Step Handshake::on_hello(const Hello& h)
{
	if (auto ok = check_peer(h.node, h.cluster); !ok)
		return hps::fail(std::move(ok).error());
	const std::uint16_t lo = std::max(h.min_version, config_.min_version);
	const std::uint16_t hi = std::min(h.max_version, config_.max_version);
	if (lo > hi)
		return hps::fail(fail(ErrorCode::version,
				      "handshake: peer " + h.node + " speaks versions " +
					      range(h.min_version, h.max_version) + ", this node " +
					      range(config_.min_version, config_.max_version),
				      "no common version: the receiver speaks " +
					      range(config_.min_version, config_.max_version)));
	hello_ = h;
	challenge_.version = hi; // the newest both speak
	challenge_.max_write_bytes = config_.max_write_bytes;
	challenge_.cluster = config_.cluster;
	challenge_.node = config_.node;
	if (auto ok = nonces_->fill(challenge_.nonce); !ok)
		return hps::fail(fail(ErrorCode::internal, "handshake: " + ok.error(), "internal error"));
	if (equal_constant_time(challenge_.nonce, h.nonce))
		return hps::fail(fail(ErrorCode::internal,
				      "handshake: the nonce source repeated the peer's nonce",
				      "internal error"));
	peer_ = Peer{h.node, hi, h.max_write_bytes};
	state_ = State::challenge_sent;
	return std::optional<Message>{challenge_};
}

// Either side: the other's proof.
Handshake::Step Handshake::on_response(const Response& r)
{
	const Role prover = role_ == Role::initiator ? Role::acceptor : Role::initiator;
	auto expected = mac_by(prover);
	if (!expected)
		return hps::fail(fail(ErrorCode::internal, "handshake: " + expected.error(),
				      "internal error"));
	if (!equal_constant_time(r.mac, *expected))
		return hps::fail(fail(ErrorCode::auth,
				      "handshake: peer " + peer_.node +
					      " failed authentication (another cluster secret, or the "
					      "handshake was tampered with)",
				      "authentication failed"));
	if (role_ == Role::initiator) {
		state_ = State::established;
		return std::optional<Message>{};
	}
	auto mine = mac_by(Role::acceptor);
	if (!mine)
		return hps::fail(fail(ErrorCode::internal, "handshake: " + mine.error(), "internal error"));
	state_ = State::established;
	return std::optional<Message>{Response{*mine}};
}

// HMAC(secret, label || prover || version || HELLO's fields || CHALLENGE's
// fields), every field little-endian as on the wire.
hps::Result<Mac, std::string> Handshake::mac_by(Role prover) const
{
	std::vector<std::byte> t;
	ByteWriter w(t);
	w.bytes(std::as_bytes(std::span(mac_label, sizeof(mac_label) - 1)));
	w.u8(static_cast<std::uint8_t>(prover));
	w.u16(challenge_.version);
	w.u16(hello_.min_version);
	w.u16(hello_.max_version);
	w.u32(hello_.max_write_bytes);
	w.u32(challenge_.max_write_bytes);
	w.bytes(hello_.cluster);
	w.bytes(hello_.nonce);
	w.bytes(challenge_.nonce);
	put_node(w, hello_.node);
	put_node(w, challenge_.node);
	auto digest = hmac_sha256(secret_->bytes(),
				  std::span(reinterpret_cast<const std::uint8_t*>(t.data()), t.size()));
	if (!digest)
		return hps::fail(std::move(digest).error());
	return Mac(*digest);
}

} // namespace hpsd::replication
