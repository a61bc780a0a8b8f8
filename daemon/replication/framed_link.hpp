// SPDX-License-Identifier: GPL-2.0-only
// What TcpLink and RdmaLink do alike above whatever carries their frames:
// the phases from the handshake to the close, the handshake's steps, the
// link's own frames (PING, PONG, GOODBYE, ERROR), what send() queues or
// refuses, the keepalive and handshake timer, and how a link ends.  One
// copy, so the two transports cannot drift apart in what the peer and the
// owner see (PROTOCOL.md, "Replication protocol").
//
// A transport supplies the rest through the protected hooks: how queued
// frames leave (transmit), what it gives up and shuts when the link ends,
// and how frames that came early are delivered once the owner starts it.
//
// Threading and lifetime as Link says: one event loop; the owner's
// shared_ptr is the link, pending waits hold weak references.
#pragma once

#include "replication/handshake.hpp"
#include "replication/keepalive.hpp"
#include "replication/link.hpp"
#include "replication/link_settings.hpp"
#include "replication/send_queue.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace hpsd::replication {

class FramedLink : public Link, public std::enable_shared_from_this<FramedLink> {
public:
	// What the listener or dialer that made the link learns of it.
	struct Hooks {
		// The handshake succeeded.
		std::function<void(std::shared_ptr<FramedLink>)> on_established;
		// The connection is closed, for any reason; `established`: it had
		// got past the handshake.
		std::function<void(bool established)> on_closed;
	};

	FramedLink(const FramedLink&) = delete;
	FramedLink& operator=(const FramedLink&) = delete;
	~FramedLink() override = default;

	const Peer& peer() const noexcept override { return peer_; }
	std::string name() const override;
	bool is_open() const noexcept override;
	void start(LinkHandlers handlers) override;
	hps::Result<void, SendError> send(const Message& message, Release release = {}) override;
	void close(const std::string& reason) override;

protected:
	enum class Phase : std::uint8_t {
		handshaking,
		established, // authenticated, waiting for start()
		running,
		closing, // the last frames (a GOODBYE or ERROR) going out
		closed,
	};
	using Clock = Keepalive::Clock;

	// `remote` names the other end until the handshake names its node.
	FramedLink(boost::asio::any_io_executor executor, Handshake handshake,
		   const LinkSettings& settings, std::string remote, Hooks hooks);

	// --- what the transport does

	// Gets queued frames (tx_) on their way, as far as it can now.
	virtual void transmit() = 0;
	// The link ends: the queued frames that will never go, to release.
	virtual std::vector<Release> drop_unsent() = 0;
	// Whether a last frame (GOODBYE, ERROR) can still go out.
	virtual bool can_send_last() const noexcept { return true; }
	// The link is closed: the connection goes, no wait stays pending.
	virtual void shut() = 0;
	// start(): deliver what came in after the handshake's last frame.
	virtual void deliver_held() = 0;
	// The handshake has authenticated `peer`, before its last frame is
	// queued: set up for data frames, decoded within `receive`.  A
	// failure ends the link.
	virtual hps::Result<void, std::string> authenticated(const Peer& peer,
							     const Limits& receive) = 0;
	// A word on the transport for the "authenticated" log line.
	virtual std::string transport_note() const { return {}; }
	// The keepalive is about to give the peer up (silent or stalled): a
	// last look at what may have arrived unnoticed.
	virtual void before_peer_lost() {}
	// "the peer took none of N queued bytes for T", for a stalled peer.
	virtual std::string stalled_text() const = 0;

	// --- for the transport

	// Arms the handshake timeout and takes the handshake's first step.
	void begin_handshake();
	// A frame decoded from the peer: a handshake step while handshaking,
	// else the link's own frames or the owner's.
	void on_frame(const Message& message);
	void arm_timer(Clock::time_point at);
	// Ends the connection: logs `reason` once, sends `last` first if given
	// (waiting a moment for it to go), and tells the owner (on_lost) if
	// `notify` and it had started the link.
	void end(LogLevel level, const std::string& reason, std::optional<Message> last, bool notify);
	void finish();
	// For the transport's destructor (the most derived one; no virtual
	// call): a link dropped without close() logs it, releases what was
	// queued and tells its maker.
	void dropped();
	void log(LogLevel level, const std::string& text) const;
	void post_releases(std::vector<Release> releases);
	bool active() const noexcept; // handshaking, established or running
	bool handshaking() const noexcept { return phase_ == Phase::handshaking; }
	// The limits to decode the peer's next frame with.
	Limits receive_limits() const noexcept;
	boost::asio::any_io_executor executor() { return timer_.get_executor(); }
	Phase phase() const noexcept { return phase_; }

	LinkHandlers handlers_;
	Keepalive keepalive_;
	SendQueue tx_;

private:
	void on_handshake_step(Handshake::Step step);
	void on_established();
	void on_message(const Message& message);
	void queue(const Message& message);
	void on_timer();
	void on_keepalive();
	void tell_closed();
	std::uint16_t send_version() const noexcept;

	LinkSettings settings_;
	Phase phase_ = Phase::handshaking;
	Hooks hooks_;
	std::optional<Handshake> handshake_; // until established
	Peer peer_;
	Limits limits_; // to decode with, once established
	std::string remote_;
	bool established_ = false; // got past the handshake at some point
	std::uint64_t next_ping_ = 1;
	std::uint64_t timer_generation_ = 0;
	boost::asio::steady_timer timer_;
};

// A transport's wait holds weak_from_this(); this locks it as the
// transport's own type (null once the link is gone).  The cast moves the
// locked pointer: no more reference counting per I/O than a plain lock.
template <class T> std::shared_ptr<T> lock_as(const std::weak_ptr<FramedLink>& weak)
{
	static_assert(std::is_base_of_v<FramedLink, T>);
	return std::static_pointer_cast<T>(weak.lock());
}

} // namespace hpsd::replication
