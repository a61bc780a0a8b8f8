// SPDX-License-Identifier: GPL-2.0-only
// Test helpers for the TCP transport: one io_context run until a condition
// holds (never a fixed sleep), settings with short timers, a collecting
// owner for links, and a raw TCP peer that sends whatever bytes a test
// wants and can play the initiator's handshake by hand.
#pragma once

#include "frames.hpp"

#include "replication/frame_buffer.hpp"
#include "replication/handshake.hpp"
#include "replication/link.hpp"
#include "replication/link_settings.hpp"
#include "replication/tcp_dialer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tcptest {

using namespace repltest;
using namespace std::chrono_literals;
namespace asio = boost::asio;

// Long enough for a loaded two-core machine; a passing test takes a
// fraction of it.
inline constexpr std::chrono::milliseconds deadline = 10s;

// Dial again soon, so that a test waits little for a reconnect.
inline const DialOptions fast_dial{500ms, 20ms, 200ms};

// Runs `io` until `done()` or the deadline; returns done().
bool run_until(asio::io_context& io, const std::function<bool()>& done,
	       std::chrono::milliseconds limit = deadline);
// Runs `io` for `period` (for what must not happen meanwhile).
void run_for(asio::io_context& io, std::chrono::milliseconds period);

struct LogLines {
	std::vector<std::string> lines;
	LogFn fn();
	bool has(std::string_view part) const;
	std::string all() const; // for INFO
};

// Node `node` of the test cluster; secrets differ by `secret_fill`.
// keepalive 50 ms, peer timeout 400 ms, handshake timeout 500 ms.
LinkSettings settings(const std::string& node, LogLines& log, std::uint8_t secret_fill = 1);

// A message as received, its WRITE data copied out of the link's buffer.
struct Received {
	Message message;
	Bytes data;
	Bytes encoded() const; // its frame, data included
};

// An owner of one link: keeps it, starts it, records what it hears.
struct Owner {
	std::shared_ptr<Link> link;
	std::vector<Received> received;
	std::optional<std::string> lost;
	int writable = 0;
	int links = 0; // links handed over, reconnects included

	// For TcpListener / TcpDialer's OnLink.
	std::function<void(std::shared_ptr<Link>)> take();
};

// A plain TCP client of a listener, driven by the test.
class RawPeer {
public:
	RawPeer(asio::io_context& io, std::uint16_t port);

	void send(const Bytes& bytes);
	void send(const Message& message) { send(encode(message)); }

	// The next frame from the listener (a WRITE's data views the peer's
	// buffer until the next call), or none if the connection ended or
	// the deadline passed.
	std::optional<Message> next(const Limits& limits = Limits{});
	// Reads (and discards) until the listener closes the connection.
	bool wait_closed();
	bool closed() const noexcept { return closed_; }

	// Plays the initiator's handshake as node `node`; true once
	// authenticated.
	bool handshake(const LinkSettings& mine, const std::string& expected_peer);

private:
	asio::io_context& io_;
	asio::ip::tcp::socket socket_;
	FrameBuffer rx_;
	bool closed_ = false;
};

} // namespace tcptest
