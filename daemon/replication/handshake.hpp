// SPDX-License-Identifier: GPL-2.0-only
// The replication handshake, both sides: protocol version, cluster id and
// node ids, then mutual HMAC-SHA256 challenge-response over the cluster
// secret.  Pure logic: messages in, messages out; the transport moves the
// frames and owns the timeout (PROTOCOL.md, "Handshake").
//
//   initiator (dials)                    acceptor (listens)
//   HELLO  versions, max_write, cluster, node, nonce_i  ->
//         <-  CHALLENGE  version, max_write, cluster, node, nonce_a
//   RESPONSE  mac_i = HMAC(secret, transcript, "by initiator")  ->
//         <-  RESPONSE  mac_a = HMAC(secret, transcript, "by acceptor")
//
// The transcript is every field of HELLO and CHALLENGE but the MACs, so a
// man in the middle who edits one (a lower version range, say) fails the
// MAC check.  Fresh nonces on both sides make every MAC good for one
// connection only: a recorded RESPONSE replayed later fails.  The proving
// side is part of the MAC, so one side's MAC is never the other's
// (no reflection).  The acceptor proves itself only after the initiator
// has, so an unauthenticated dialler gets no MAC at all; the initiator
// sends nothing but the handshake before it has checked the acceptor's.
//
// Any failure: the caller sends HandshakeFailure::to_send (if any) and
// closes the connection, logging `reason`.
#pragma once

#include "replication/crypto.hpp"
#include "replication/message.hpp"
#include "replication/wire.hpp"
#include "util/result.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace hpsd::replication {

struct HandshakeConfig {
	ClusterId cluster{};
	std::string node; // this node's id (config's node_name)
	// Initiator: the node it dialled; the acceptor must be that node.
	// Acceptor: usually unset (any node but this one; the caller checks
	// peer().node against the cluster's members).
	std::optional<std::string> expected_peer;
	std::uint16_t min_version = oldest_version;
	std::uint16_t max_version = newest_version;
	std::uint32_t max_write_bytes = Limits{}.max_write_bytes; // the WRITE data this node accepts
};

// The other side, once the handshake succeeded.
struct Peer {
	std::string node;
	std::uint16_t version = 0;	   // the one both use from now on
	std::uint32_t max_write_bytes = 0; // split WRITEs (and resync blocks) to this
};

struct HandshakeFailure {
	std::string reason;	      // one line for the log
	std::optional<Error> to_send; // the ERROR to send before closing; none when the peer ended it
};

class Handshake {
public:
	enum class Role : std::uint8_t { initiator = 1, acceptor = 2 };
	// What to send next (nothing, or one message), or why it failed.
	using Step = hps::Result<std::optional<Message>, HandshakeFailure>;

	// Checks `config` (node id, version range, max_write_bytes).  `secret`
	// and `nonces` must outlive the handshake.
	static hps::Result<Handshake, std::string> create(Role role, HandshakeConfig config,
							  const ClusterSecret& secret,
							  NonceSource& nonces);

	// Initiator: the HELLO.  Acceptor: nothing; it waits for one.
	Step start();
	// The next message from the peer.  Anything but the expected
	// handshake message (an ERROR, a GOODBYE, a WRITE, a second HELLO)
	// fails the handshake.
	Step receive(const Message& message);

	bool established() const noexcept { return state_ == State::established; }
	bool failed() const noexcept { return state_ == State::failed; }
	// Only once established().
	const Peer& peer() const noexcept { return peer_; }

	// The version to frame the next message in: this side's oldest until
	// the versions are agreed (the acceptor's CHALLENGE), then the agreed
	// one.
	std::uint16_t send_version() const noexcept;
	// The limits to decode the next frame with: this side's versions until
	// agreed, then only the agreed one.
	Limits receive_limits() const noexcept;

private:
	enum class State : std::uint8_t {
		idle,
		hello_sent,	// initiator
		response_sent,	// initiator
		awaiting_hello, // acceptor
		challenge_sent, // acceptor
		established,
		failed,
	};

	Handshake(Role role, HandshakeConfig config, const ClusterSecret& secret, NonceSource& nonces);

	Step on_challenge(const Challenge& challenge);
	Step on_hello(const Hello& hello);
	Step on_response(const Response& response);
	HandshakeFailure fail(ErrorCode code, std::string reason, std::string text);
	hps::Result<Mac, std::string> mac_by(Role prover) const;
	hps::Result<void, HandshakeFailure> check_peer(const std::string& node, const ClusterId& cluster);

	Role role_;
	HandshakeConfig config_;
	const ClusterSecret* secret_; // not owned
	NonceSource* nonces_;	      // not owned
	State state_ = State::idle;

	// The transcript, filled in as the messages pass.
	Hello hello_;
	Challenge challenge_;
	Peer peer_;
};

} // namespace hpsd::replication
