// SPDX-License-Identifier: GPL-2.0-only
#include "replication/framed_link.hpp"

#include "replication/codec.hpp"
#include "replication/link_common.hpp"

#include <boost/asio/post.hpp>

namespace hpsd::replication {

namespace asio = boost::asio;

FramedLink::FramedLink(asio::any_io_executor executor, Handshake handshake,
		       const LinkSettings& settings, std::string remote, Hooks hooks)
	: keepalive_(settings.keepalive, settings.peer_timeout, Clock::now()),
	  tx_(settings.send_limits), settings_(settings), hooks_(std::move(hooks)),
	  handshake_(std::move(handshake)),
	  remote_(std::move(remote)), timer_(std::move(executor))
{
}

std::string FramedLink::name() const
{
	return established_ ? peer_.node + " (" + remote_ + ")" : remote_;
}

bool FramedLink::is_open() const noexcept
{
	return phase_ == Phase::established || phase_ == Phase::running;
}

bool FramedLink::active() const noexcept
{
	return phase_ == Phase::handshaking || is_open();
}

Limits FramedLink::receive_limits() const noexcept
{
	return handshake_ ? handshake_->receive_limits() : limits_;
}

void FramedLink::log(LogLevel level, const std::string& text) const
{
	if (settings_.log)
		settings_.log(level, "replication: " + name() + ": " + text);
}

std::uint16_t FramedLink::send_version() const noexcept
{
	return handshake_ ? handshake_->send_version() : peer_.version;
}

void FramedLink::post_releases(std::vector<Release> releases)
{
	if (releases.empty())
		return;
	asio::post(timer_.get_executor(), [releases = std::move(releases)] {
		for (const Release& release : releases)
			release();
	});
}

// --- handshake

void FramedLink::begin_handshake()
{
	arm_timer(Clock::now() + settings_.handshake_timeout);
	on_handshake_step(handshake_->start());
}

void FramedLink::on_handshake_step(Handshake::Step step)
{
	if (!step) {
		HandshakeFailure failure = std::move(step).error();
		std::optional<Message> last;
		if (failure.to_send)
			last = *failure.to_send;
		end(LogLevel::warn, failure.reason, std::move(last), false);
		return;
	}
	// Authenticated: the transport gets ready for data before the step's
	// message (the acceptor's RESPONSE) goes, as the peer may send data
	// the moment it has it.
	if (handshake_->established()) {
		if (auto ready = authenticated(handshake_->peer(), handshake_->receive_limits());
		    !ready) {
			end(LogLevel::error, ready.error(), Error{ErrorCode::internal, "internal error"},
			    false);
			return;
		}
	}
	if (step->has_value())
		queue(**step);
	if (handshake_->established() && phase_ == Phase::handshaking)
		on_established();
}

void FramedLink::on_established()
{
	peer_ = handshake_->peer();
	limits_ = handshake_->receive_limits();
	handshake_.reset();
	established_ = true;
	phase_ = Phase::established;
	++timer_generation_; // no handshake timeout any more
	timer_.cancel();
	log(LogLevel::info, "authenticated, protocol version " + std::to_string(peer_.version) +
				    transport_note());
	// Whatever the transport holds back until now (RDMA's credits) goes.
	transmit();
	if (hooks_.on_established)
		asio::post(timer_.get_executor(), [self = shared_from_this()] {
			if (self->phase_ == Phase::established)
				self->hooks_.on_established(self);
		});
}

void FramedLink::start(LinkHandlers handlers)
{
	if (phase_ != Phase::established)
		return;
	handlers_ = std::move(handlers);
	phase_ = Phase::running;
	keepalive_ = Keepalive(settings_.keepalive, settings_.peer_timeout, Clock::now());
	arm_timer(keepalive_.next(!tx_.empty()));
	// Frames that came with or after the handshake's last are held;
	// deliver them from the event loop, not from inside start().
	asio::post(timer_.get_executor(), [weak = weak_from_this()] {
		if (auto self = weak.lock(); self && self->phase_ == Phase::running)
			self->deliver_held();
	});
}

// --- receiving

void FramedLink::on_frame(const Message& message)
{
	if (phase_ == Phase::handshaking)
		on_handshake_step(handshake_->receive(message));
	else
		on_message(message);
}

void FramedLink::on_message(const Message& message)
{
	if (const auto* ping = std::get_if<Ping>(&message)) {
		queue(Pong{ping->token});
	} else if (std::holds_alternative<Pong>(message)) {
		// Only a sign of life, which its arrival already was.
	} else if (std::holds_alternative<Goodbye>(message)) {
		end(LogLevel::info, "the peer said GOODBYE", std::nullopt, true);
	} else if (const auto* error = std::get_if<Error>(&message)) {
		end(LogLevel::warn,
		    "the peer sent ERROR " + to_string(error->code) + ": " + error->text, std::nullopt,
		    true);
	} else if (is_handshake_message(message)) {
		const std::string reason = std::string(to_string(type_of(message))) +
					   " after the handshake";
		end(LogLevel::warn, reason, Error{ErrorCode::protocol, reason}, true);
	} else if (handlers_.on_message) {
		handlers_.on_message(message);
	}
}

// --- sending

hps::Result<void, SendError> FramedLink::send(const Message& message, Release release)
{
	if (!is_open())
		return hps::fail(SendError{SendError::Kind::closed, {}});
	if (auto ok = check_send(message, peer_); !ok)
		return ok;
	const bool was_empty = tx_.empty();
	if (!tx_.try_push(encode_split(message, send_version()), std::move(release)))
		return hps::fail(SendError{SendError::Kind::queue_full, {}});
	if (phase_ == Phase::running)
		keepalive_.queued(Clock::now(), was_empty);
	transmit();
	return {};
}

// The link's own frames: handshake, PING, PONG.  A PING or PONG that does
// not fit is dropped: the queue is full of traffic that says as much.
void FramedLink::queue(const Message& message)
{
	const bool was_empty = tx_.empty();
	EncodedFrame frame = encode_split(message, send_version());
	if (phase_ == Phase::handshaking)
		tx_.force_push(std::move(frame), {});
	else if (!tx_.try_push(std::move(frame), {}))
		return;
	if (phase_ == Phase::running)
		keepalive_.queued(Clock::now(), was_empty);
	transmit();
}

// --- timers

void FramedLink::arm_timer(Clock::time_point at)
{
	const std::uint64_t generation = ++timer_generation_;
	timer_.expires_at(at);
	timer_.async_wait([weak = weak_from_this(), generation](const boost::system::error_code& ec) {
		auto self = weak.lock();
		if (!ec && self && self->timer_generation_ == generation)
			self->on_timer();
	});
}

void FramedLink::on_timer()
{
	switch (phase_) {
	case Phase::handshaking:
		end(LogLevel::warn, "handshake timed out after " + ms(settings_.handshake_timeout),
		    std::nullopt, false);
		break;
	case Phase::running:
		on_keepalive();
		break;
	case Phase::closing:
		finish();
		break;
	case Phase::established:
	case Phase::closed:
		break;
	}
}

void FramedLink::on_keepalive()
{
	Keepalive::Due due = keepalive_.due(Clock::now(), !tx_.empty());
	if (due == Keepalive::Due::silent || due == Keepalive::Due::stalled) {
		before_peer_lost();
		if (phase_ != Phase::running)
			return;
		due = keepalive_.due(Clock::now(), !tx_.empty());
	}
	switch (due) {
	case Keepalive::Due::silent:
		end(LogLevel::warn, "nothing received for " + ms(keepalive_.timeout()) + ": peer lost",
		    std::nullopt, true);
		return;
	case Keepalive::Due::stalled:
		end(LogLevel::warn, stalled_text() + ": peer lost", std::nullopt, true);
		return;
	case Keepalive::Due::ping:
		queue(Ping{next_ping_++});
		// Counts as sending even if the PING did not fit.
		keepalive_.queued(Clock::now(), false);
		break;
	case Keepalive::Due::nothing:
		break;
	}
	arm_timer(keepalive_.next(!tx_.empty()));
}

// --- closing

void FramedLink::close(const std::string& reason)
{
	if (phase_ == Phase::closing || phase_ == Phase::closed)
		return;
	std::optional<Message> last;
	if (phase_ != Phase::handshaking)
		last = Goodbye{};
	end(LogLevel::info, "closing: " + reason, std::move(last), false);
}

void FramedLink::end(LogLevel level, const std::string& reason, std::optional<Message> last,
		     bool notify)
{
	if (phase_ == Phase::closing || phase_ == Phase::closed)
		return;
	const bool tell_owner = notify && phase_ == Phase::running && handlers_.on_lost;
	log(level, reason);
	post_releases(drop_unsent());
	if (last && can_send_last()) {
		tx_.force_push(encode_split(*last, send_version()), {});
		phase_ = Phase::closing;
		arm_timer(Clock::now() + close_linger);
		transmit();
	} else {
		finish();
	}
	if (tell_owner) {
		const auto self = shared_from_this();
		handlers_.on_lost(reason);
	}
}

void FramedLink::finish()
{
	if (phase_ == Phase::closed)
		return;
	phase_ = Phase::closed;
	++timer_generation_;
	timer_.cancel();
	shut();
	post_releases(tx_.clear());
	tell_closed();
}

void FramedLink::dropped()
{
	if (phase_ == Phase::closed)
		return;
	log(LogLevel::debug, "closed: dropped by its owner");
	post_releases(tx_.clear());
	tell_closed();
}

void FramedLink::tell_closed()
{
	if (hooks_.on_closed)
		asio::post(timer_.get_executor(),
			   [hook = std::move(hooks_.on_closed), e = established_] { hook(e); });
	hooks_.on_closed = nullptr;
}

} // namespace hpsd::replication
