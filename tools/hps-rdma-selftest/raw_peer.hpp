// SPDX-License-Identifier: GPL-2.0-only
// A hand-driven RDMA client of a listener, for what a well-behaved link
// never does: send bytes that are not a frame, or authenticate and then go
// silent.  It connects with the connection manager like RdmaDialer, then
// posts SENDs of whatever bytes a check wants (with whatever credits in
// the immediate) and reads what the listener sends into its two handshake
// buffers.  It polls; a test has time to spare.
#pragma once

#include "hps-rdma-selftest/harness.hpp"

#include "replication/codec.hpp"
#include "replication/rdma_endpoint.hpp"
#include "replication/wire.hpp"

#include <deque>
#include <optional>
#include <string>

namespace rdmatest {

class RawPeer {
public:
	// Connects to host:port (a numeric address); fails the check if it
	// cannot.
	RawPeer(asio::io_context& io, const std::string& host, std::uint16_t port);

	// One SEND of `bytes` (at most handshake_frame_bytes) granting
	// `credits`; waits for its completion.  False if it failed.
	bool send(const Bytes& bytes, std::uint32_t credits = 0);
	bool send(const Message& message) { return send(encode(message)); }

	// The next frame from the listener, or none when the connection ended
	// (or the deadline passed).  Only two fit: the handshake's buffers.
	std::optional<Message> next(const Limits& limits = Limits{});
	// Credits the listener granted so far (the immediates received).
	std::uint32_t granted() const noexcept { return granted_; }

	// Plays the initiator's handshake as `mine`, expecting `expected_peer`.
	bool handshake(const LinkSettings& mine, const std::string& expected_peer);

	// Waits for the listener to disconnect.
	bool wait_disconnected();

private:
	// The next connection-manager event, within the deadline.
	std::optional<rdma_cm_event_type> next_event();
	// Completions into received_ / sent_ (polled, not waited for).
	void poll();

	asio::io_context& io_;
	std::optional<rdma::RdmaEndpoint> endpoint_;
	std::deque<ibv_wc> received_;
	bool send_done_ = false;
	bool send_failed_ = false;
	bool disconnected_ = false;
	std::uint32_t granted_ = 0;
	std::uint64_t next_send_ = 1;
};

} // namespace rdmatest
