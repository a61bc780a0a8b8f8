// SPDX-License-Identifier: GPL-2.0-only
// What the RDMA selftest's checks share: the event loop run until a
// condition holds (never a fixed sleep), link settings with short timers,
// an owner that keeps a link and records what it hears, the log lines of
// each side, and failing a check with a message.
#pragma once

#include "replication/link.hpp"
#include "replication/link_settings.hpp"
#include "replication/message.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rdmatest {

using namespace hpsd::replication;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using Bytes = std::vector<std::byte>;

// Long enough for a TCG-emulated VM with soft-RoCE; a passing check takes
// a fraction of it.
inline constexpr std::chrono::milliseconds deadline = 30s;

// The timers every link of the selftest uses (settings()).
inline constexpr std::chrono::milliseconds keepalive = 100ms;
inline constexpr std::chrono::milliseconds peer_timeout = 800ms;

// A check that did not hold.
struct Failed : std::runtime_error {
	using std::runtime_error::runtime_error;
};
void expect(bool condition, const std::string& what);

// Runs `io` until `done()` or the time limit; returns done().
bool run_until(asio::io_context& io, const std::function<bool()>& done,
	       std::chrono::milliseconds limit = deadline);
// Runs `io` for `period` (for what must not happen meanwhile).
void run_for(asio::io_context& io, std::chrono::milliseconds period);

struct LogLines {
	std::vector<std::string> lines;
	LogFn fn();
	bool has(std::string_view part) const;
	std::string all() const;
};

// Node `node` of the test cluster; secrets differ by `secret_fill`.
LinkSettings settings(const std::string& node, LogLines& log, std::uint8_t secret_fill = 1);

// An owner of one link: keeps it, starts it, records what it hears.
struct Owner {
	struct Received {
		Message message;
		Bytes data; // a WRITE's, copied out of the link's buffer
	};

	std::shared_ptr<Link> link;
	std::vector<Received> received;
	std::optional<std::string> lost;
	int writable = 0;
	int links = 0; // links handed over, reconnects included
	// When set, called for each message instead of recording it.
	std::function<void(const Message&)> on_message;
	std::function<void()> on_writable;

	// For the listener's and the dialer's OnLink.
	std::function<void(std::shared_ptr<Link>)> take();
};

// Byte `i` of a recognisable pattern.
Bytes pattern(std::size_t size, unsigned seed);

} // namespace rdmatest
