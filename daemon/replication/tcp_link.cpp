// SPDX-License-Identifier: GPL-2.0-only
#include "replication/tcp_link.hpp"

#include "replication/codec.hpp"
#include "replication/link_common.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>

namespace hpsd::replication {
namespace {

namespace asio = boost::asio;

// How much to read at a time once authenticated.
constexpr std::size_t read_chunk = 64 * 1024;
// Buffers per gather write (Linux's writev takes more; Asio passes 64).
constexpr std::size_t max_write_buffers = 64;

std::string endpoint_text(const asio::ip::tcp::socket& socket)
{
	boost::system::error_code ec;
	const auto ep = socket.remote_endpoint(ec);
	if (ec)
		return "unknown peer";
	const auto address = ep.address();
	return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
	       std::to_string(ep.port());
}

} // namespace

hps::Result<std::shared_ptr<TcpLink>, std::string>
TcpLink::create(Socket socket, Handshake::Role role, std::optional<std::string> expected_peer,
		const LinkSettings& settings, Hooks hooks)
{
	auto handshake = make_handshake(role, std::move(expected_peer), settings);
	if (!handshake)
		return hps::fail(std::move(handshake).error());
	return std::make_shared<TcpLink>(Passkey{}, std::move(socket), std::move(handshake).value(),
					 settings, std::move(hooks));
}

TcpLink::TcpLink(Passkey, Socket socket, Handshake handshake, const LinkSettings& settings,
		 Hooks hooks)
	: settings_(settings), hooks_(std::move(hooks)), handshake_(std::move(handshake)),
	  remote_(endpoint_text(socket)),
	  keepalive_(settings.keepalive, settings.peer_timeout, Clock::now()),
	  rx_(handshake_frame_bytes, handshake_frame_bytes), tx_(settings.send_limits),
	  timer_(socket.get_executor()), socket_(std::move(socket))
{
}

TcpLink::~TcpLink()
{
	// Dropped without close(): no GOODBYE (nothing may refer to this
	// object any more), but what was queued is released and the maker
	// learns the link is gone.
	if (phase_ != Phase::closed) {
		log(LogLevel::debug, "closed: dropped by its owner");
		boost::system::error_code ignored;
		socket_.close(ignored);
		post_releases(tx_.clear());
		if (hooks_.on_closed)
			asio::post(timer_.get_executor(),
				   [hook = std::move(hooks_.on_closed), e = established_] { hook(e); });
	}
}

std::string TcpLink::name() const
{
	return established_ ? peer_.node + " (" + remote_ + ")" : remote_;
}

bool TcpLink::is_open() const noexcept
{
	return phase_ == Phase::established || phase_ == Phase::running;
}

void TcpLink::log(LogLevel level, const std::string& text) const
{
	if (settings_.log)
		settings_.log(level, "replication: " + name() + ": " + text);
}

std::uint16_t TcpLink::send_version() const noexcept
{
	return handshake_ ? handshake_->send_version() : peer_.version;
}

void TcpLink::post_releases(std::vector<Release> releases)
{
	if (releases.empty())
		return;
	asio::post(timer_.get_executor(), [releases = std::move(releases)] {
		for (const Release& release : releases)
			release();
	});
}

// --- handshake

void TcpLink::begin()
{
	if (phase_ != Phase::handshaking || reading_)
		return;
	arm_timer(Clock::now() + settings_.handshake_timeout);
	on_handshake_step(handshake_->start());
	if (phase_ == Phase::handshaking)
		read();
}

void TcpLink::on_handshake_step(Handshake::Step step)
{
	if (!step) {
		HandshakeFailure failure = std::move(step).error();
		std::optional<Message> last;
		if (failure.to_send)
			last = *failure.to_send;
		end(LogLevel::warn, failure.reason, std::move(last), false);
		return;
	}
	if (step->has_value())
		queue(**step);
	if (handshake_->established())
		on_established();
}

void TcpLink::on_established()
{
	peer_ = handshake_->peer();
	limits_ = handshake_->receive_limits();
	handshake_.reset();
	established_ = true;
	phase_ = Phase::established;
	++timer_generation_; // no handshake timeout any more
	timer_.cancel();
	rx_.set_bounds(max_frame_bytes(limits_), read_chunk);
	log(LogLevel::info, "authenticated, protocol version " + std::to_string(peer_.version));
	if (hooks_.on_established)
		asio::post(timer_.get_executor(), [self = shared_from_this()] {
			if (self->phase_ == Phase::established)
				self->hooks_.on_established(self);
		});
}

void TcpLink::start(LinkHandlers handlers)
{
	if (phase_ != Phase::established)
		return;
	handlers_ = std::move(handlers);
	phase_ = Phase::running;
	keepalive_ = Keepalive(settings_.keepalive, settings_.peer_timeout, Clock::now());
	arm_timer(keepalive_.next(!tx_.empty()));
	// Frames that came with the handshake's last are in the buffer
	// already; deliver them from the event loop, not from inside start().
	asio::post(timer_.get_executor(), [weak = weak_from_this()] {
		if (auto self = weak.lock(); self && self->phase_ == Phase::running)
			self->take_frames();
	});
}

// --- receiving

void TcpLink::read()
{
	reading_ = true;
	const std::span<std::byte> space = rx_.space();
	socket_.async_read_some(asio::buffer(space.data(), space.size()),
				[weak = weak_from_this()](const boost::system::error_code& ec,
							  std::size_t bytes) {
					if (auto self = weak.lock())
						self->on_read(ec, bytes);
				});
}

void TcpLink::on_read(const boost::system::error_code& ec, std::size_t bytes)
{
	reading_ = false;
	if (phase_ != Phase::handshaking && phase_ != Phase::running)
		return;
	if (ec) {
		const bool eof = ec == asio::error::eof;
		std::string reason = eof ? "the peer closed the connection" : "receive: " + ec.message();
		if (phase_ == Phase::handshaking)
			reason += " during the handshake";
		// A stranger hanging up during the handshake is not worth a warning.
		end(phase_ == Phase::running ? LogLevel::warn : LogLevel::info, reason, std::nullopt,
		    true);
		return;
	}
	rx_.commit(bytes);
	if (phase_ == Phase::running)
		keepalive_.received(Clock::now());
	take_frames();
}

void TcpLink::take_frames()
{
	while (phase_ == Phase::handshaking || phase_ == Phase::running) {
		auto frame = rx_.next(handshake_ ? handshake_->receive_limits() : limits_);
		if (!frame) {
			const std::string reason = "bad frame: " + frame.error();
			end(LogLevel::warn, reason, Error{ErrorCode::protocol, error_text(reason)}, true);
			return;
		}
		if (!frame->has_value())
			break;
		if (phase_ == Phase::handshaking)
			on_handshake_step(handshake_->receive(**frame));
		else
			on_message(**frame);
	}
	// Once established, reading waits for start().
	if ((phase_ == Phase::handshaking || phase_ == Phase::running) && !reading_)
		read();
}

void TcpLink::on_message(const Message& message)
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

hps::Result<void, SendError> TcpLink::send(const Message& message, Release release)
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
	write();
	return {};
}

// The link's own frames: handshake, PING, PONG.  A PING or PONG that does
// not fit is dropped: the queue is full of traffic that says as much.
void TcpLink::queue(const Message& message)
{
	const bool was_empty = tx_.empty();
	EncodedFrame frame = encode_split(message, send_version());
	if (phase_ == Phase::handshaking)
		tx_.force_push(std::move(frame), {});
	else if (!tx_.try_push(std::move(frame), {}))
		return;
	if (phase_ == Phase::running)
		keepalive_.queued(Clock::now(), was_empty);
	write();
}

void TcpLink::write()
{
	if (writing_ || tx_.empty() || phase_ == Phase::closed)
		return;
	spans_.clear();
	tx_.gather(spans_, max_write_buffers);
	iov_.clear();
	in_flight_ = 0;
	for (std::span<const std::byte> s : spans_) {
		iov_.emplace_back(s.data(), s.size());
		in_flight_ += s.size();
	}
	writing_ = true;
	socket_.async_write_some(iov_, [weak = weak_from_this()](const boost::system::error_code& ec,
								 std::size_t bytes) {
		if (auto self = weak.lock())
			self->on_written(ec, bytes);
	});
}

void TcpLink::on_written(const boost::system::error_code& ec, std::size_t bytes)
{
	writing_ = false;
	in_flight_ = 0;
	if (phase_ == Phase::closed)
		return;
	if (ec) {
		if (phase_ == Phase::closing)
			finish();
		else
			end(LogLevel::warn, "send: " + ec.message(), std::nullopt, true);
		return;
	}
	if (phase_ == Phase::running)
		keepalive_.progressed(Clock::now());
	// Releases and on_writable may send or close; self stays alive.
	const auto self = shared_from_this();
	for (const Release& release : tx_.written(bytes))
		release();
	if (phase_ == Phase::running && tx_.take_room() && handlers_.on_writable)
		handlers_.on_writable();
	if (phase_ == Phase::closing && tx_.empty())
		finish();
	else
		write();
}

// --- timers

void TcpLink::arm_timer(Clock::time_point at)
{
	const std::uint64_t generation = ++timer_generation_;
	timer_.expires_at(at);
	timer_.async_wait([weak = weak_from_this(), generation](const boost::system::error_code& ec) {
		auto self = weak.lock();
		if (!ec && self && self->timer_generation_ == generation)
			self->on_timer();
	});
}

void TcpLink::on_timer()
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

void TcpLink::on_keepalive()
{
	switch (keepalive_.due(Clock::now(), !tx_.empty())) {
	case Keepalive::Due::silent:
		end(LogLevel::warn, "nothing received for " + ms(keepalive_.timeout()) + ": peer lost",
		    std::nullopt, true);
		return;
	case Keepalive::Due::stalled:
		end(LogLevel::warn,
		    "the peer took none of " + std::to_string(tx_.bytes()) + " queued bytes for " +
			    ms(keepalive_.timeout()) + ": peer lost",
		    std::nullopt, true);
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

void TcpLink::close(const std::string& reason)
{
	if (phase_ == Phase::closing || phase_ == Phase::closed)
		return;
	std::optional<Message> last;
	if (phase_ != Phase::handshaking)
		last = Goodbye{};
	end(LogLevel::info, "closing: " + reason, std::move(last), false);
}

void TcpLink::end(LogLevel level, const std::string& reason, std::optional<Message> last,
		  bool notify)
{
	if (phase_ == Phase::closing || phase_ == Phase::closed)
		return;
	const bool tell_owner = notify && phase_ == Phase::running && handlers_.on_lost;
	log(level, reason);
	post_releases(tx_.drop_unstarted(in_flight_));
	if (last) {
		tx_.force_push(encode_split(*last, send_version()), {});
		phase_ = Phase::closing;
		arm_timer(Clock::now() + close_linger);
		write();
	} else {
		finish();
	}
	if (tell_owner) {
		const auto self = shared_from_this();
		handlers_.on_lost(reason);
	}
}

void TcpLink::finish()
{
	if (phase_ == Phase::closed)
		return;
	phase_ = Phase::closed;
	++timer_generation_;
	timer_.cancel();
	boost::system::error_code ignored;
	// FIN after what was written, so a last ERROR arrives before the end.
	socket_.shutdown(Socket::shutdown_both, ignored);
	socket_.close(ignored);
	post_releases(tx_.clear());
	if (hooks_.on_closed)
		asio::post(timer_.get_executor(),
			   [hook = std::move(hooks_.on_closed), e = established_] { hook(e); });
	hooks_.on_closed = nullptr;
}

} // namespace hpsd::replication
