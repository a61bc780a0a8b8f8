// SPDX-License-Identifier: GPL-2.0-only
// RdmaLink: its life from the handshake to the close, sending, and the
// keepalive timer.  What it does on completions and connection-manager
// events is in rdma_link_events.cpp.
#include "replication/rdma_link.hpp"

#include "replication/codec.hpp"
#include "replication/link_common.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace hpsd::replication {

namespace asio = boost::asio;
using rdma::RdmaEndpoint;

hps::Result<std::shared_ptr<RdmaLink>, std::string>
RdmaLink::create(asio::io_context& io, RdmaEndpoint endpoint, Handshake::Role role,
		 std::optional<std::string> expected_peer, const LinkSettings& settings,
		 const RdmaOptions& options, Hooks hooks)
{
	auto handshake = make_handshake(role, std::move(expected_peer), settings);
	if (!handshake)
		return hps::fail(std::move(handshake).error());
	return std::make_shared<RdmaLink>(Passkey{}, io, std::move(endpoint),
					  std::move(handshake).value(), settings, options,
					  std::move(hooks));
}

RdmaLink::RdmaLink(Passkey, asio::io_context& io, RdmaEndpoint endpoint, Handshake handshake,
		   const LinkSettings& settings, const RdmaOptions& options, Hooks hooks)
	: settings_(settings), options_(options), hooks_(std::move(hooks)),
	  handshake_(std::move(handshake)), remote_(endpoint.peer_address()),
	  keepalive_(settings.keepalive, settings.peer_timeout, Clock::now()),
	  tx_(settings.send_limits), credits_(options.receive_window),
	  sender_(options, endpoint.buffer(Buffer::handshake_send).size()),
	  endpoint_(std::move(endpoint)), timer_(io),
	  completions_watch_(io), events_watch_(io)
{
}

RdmaLink::~RdmaLink()
{
	// Dropped without close(): no GOODBYE (nothing may refer to this
	// object any more), but what was queued is released and the maker
	// learns the link is gone.  The endpoint disconnects as it goes.
	if (phase_ != Phase::closed) {
		log(LogLevel::debug, "closed: dropped by its owner");
		post_releases(tx_.clear());
		if (hooks_.on_closed)
			asio::post(timer_.get_executor(),
				   [hook = std::move(hooks_.on_closed), e = established_] { hook(e); });
	}
	// The fds are the channels'; the watches must not close them.
	stop_watching();
	if (endpoint_) {
		rdma::retire(timer_.get_executor(), std::move(*endpoint_));
		endpoint_.reset();
	}
}

std::string RdmaLink::name() const
{
	return established_ ? peer_.node + " (" + remote_ + ")" : remote_;
}

bool RdmaLink::is_open() const noexcept
{
	return phase_ == Phase::established || phase_ == Phase::running;
}

bool RdmaLink::active() const noexcept
{
	return phase_ == Phase::handshaking || phase_ == Phase::established ||
	       phase_ == Phase::running;
}

void RdmaLink::log(LogLevel level, const std::string& text) const
{
	if (settings_.log)
		settings_.log(level, "replication: " + name() + ": " + text);
}

std::uint16_t RdmaLink::send_version() const noexcept
{
	return handshake_ ? handshake_->send_version() : peer_.version;
}

void RdmaLink::post_releases(std::vector<Release> releases)
{
	if (releases.empty())
		return;
	asio::post(timer_.get_executor(), [releases = std::move(releases)] {
		for (const Release& release : releases)
			release();
	});
}

// --- handshake

void RdmaLink::begin()
{
	if (phase_ != Phase::handshaking || begun_)
		return;
	begun_ = true;
	boost::system::error_code ec;
	completions_watch_.assign(endpoint_->completion_fd(), ec);
	if (!ec)
		events_watch_.assign(endpoint_->event_fd(), ec);
	if (ec) {
		end(LogLevel::warn, "cannot wait for RDMA events: " + ec.message(), std::nullopt, false);
		return;
	}
	arm_timer(Clock::now() + settings_.handshake_timeout);
	watch_events();
	if (auto armed = endpoint_->rearm(); !armed) {
		end(LogLevel::warn, armed.error(), std::nullopt, false);
		return;
	}
	on_handshake_step(handshake_->start());
	// The peer's first frame may be in already (the acceptor's HELLO):
	// poll once, then wait.
	if (phase_ != Phase::closed)
		poll_completions();
	if (phase_ != Phase::closed)
		watch_completions();
}

void RdmaLink::on_handshake_step(Handshake::Step step)
{
	if (!step) {
		HandshakeFailure failure = std::move(step).error();
		std::optional<Message> last;
		if (failure.to_send)
			last = *failure.to_send;
		end(LogLevel::warn, failure.reason, std::move(last), false);
		return;
	}
	// Authenticated: the window's buffers go up before the step's message
	// (the acceptor's RESPONSE) is posted, so that message grants them.
	if (handshake_->established()) {
		if (auto opened = open_window(); !opened) {
			end(LogLevel::error, opened.error(), Error{ErrorCode::internal, "internal error"},
			    false);
			return;
		}
	}
	if (step->has_value())
		queue(**step);
	if (handshake_->established() && phase_ == Phase::handshaking)
		on_established();
}

hps::Result<void, std::string> RdmaLink::open_window()
{
	// Receiving: full-size buffers for what this side accepts, the
	// window and the credit messages' two.
	receive_frame_ = max_frame_bytes(handshake_->receive_limits());
	const std::uint32_t buffers = credits_.window() + RdmaCredits::credit_buffers;
	if (auto ok = endpoint_->register_buffer(Buffer::receive, std::size_t{buffers} * receive_frame_); !ok)
		return ok;
	for (std::uint32_t i = 0; i < buffers; i++)
		if (!repost(RdmaCredits::handshake_credits + i))
			return hps::fail(std::string("cannot post the receive buffers"));
	credits_.open_window();

	// Sending: a ring for what the peer accepts, at least two of its
	// largest frames so one can be copied while another is in flight.
	const Peer& peer = handshake_->peer();
	const std::size_t max_frame = max_frame_bytes(
		Limits{peer.version, peer.version, peer.max_write_bytes, Limits{}.max_clean_entries});
	const std::size_t ring = std::max(options_.send_ring_bytes, 2 * max_frame);
	if (auto ok = endpoint_->register_buffer(Buffer::send, ring); !ok)
		return ok;
	sender_.use_data_ring(ring, max_frame);
	return {};
}

void RdmaLink::on_established()
{
	peer_ = handshake_->peer();
	limits_ = handshake_->receive_limits();
	handshake_.reset();
	established_ = true;
	phase_ = Phase::established;
	++timer_generation_; // no handshake timeout any more
	timer_.cancel();
	log(LogLevel::info, "authenticated, protocol version " + std::to_string(peer_.version) +
				    " (RDMA, window " + std::to_string(credits_.window()) + ")");
	// The initiator grants its window now (a credit message).
	pump();
	if (hooks_.on_established)
		asio::post(timer_.get_executor(), [self = shared_from_this()] {
			if (self->phase_ == Phase::established)
				self->hooks_.on_established(self);
		});
}

void RdmaLink::start(LinkHandlers handlers)
{
	if (phase_ != Phase::established)
		return;
	handlers_ = std::move(handlers);
	phase_ = Phase::running;
	keepalive_ = Keepalive(settings_.keepalive, settings_.peer_timeout, Clock::now());
	arm_timer(keepalive_.next(!tx_.empty()));
	// Frames that came with or after the handshake's last wait in held_;
	// deliver them from the event loop, not from inside start().
	asio::post(timer_.get_executor(), [weak = weak_from_this()] {
		if (auto self = weak.lock(); self && self->phase_ == Phase::running)
			self->poll_completions();
	});
}

// --- sending

hps::Result<void, SendError> RdmaLink::send(const Message& message, Release release)
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
	pump();
	return {};
}

// The link's own frames: handshake, PING, PONG.  A PING or PONG that does
// not fit is dropped: the queue is full of traffic that says as much.
void RdmaLink::queue(const Message& message)
{
	const bool was_empty = tx_.empty();
	EncodedFrame frame = encode_split(message, send_version());
	if (phase_ == Phase::handshaking)
		tx_.force_push(std::move(frame), {});
	else if (!tx_.try_push(std::move(frame), {}))
		return;
	if (phase_ == Phase::running)
		keepalive_.queued(Clock::now(), was_empty);
	pump();
}

// Posts what can go (RdmaSender), then lets the owner know if the queue
// has room again.
void RdmaLink::pump()
{
	if (!endpoint_ || phase_ == Phase::closed)
		return;
	RdmaSender::Posted posted = sender_.pump(*endpoint_, tx_, credits_, phase_ == Phase::closing);
	post_releases(std::move(posted.released));
	if (posted.error) {
		if (phase_ == Phase::closing)
			finish();
		else
			end(LogLevel::warn, *posted.error, std::nullopt, true);
		return;
	}
	if (posted.any && phase_ == Phase::running)
		keepalive_.progressed(Clock::now());
	if (phase_ == Phase::running && tx_.take_room() && handlers_.on_writable)
		asio::post(timer_.get_executor(), [weak = weak_from_this()] {
			if (auto self = weak.lock(); self && self->phase_ == Phase::running &&
						     self->handlers_.on_writable)
				self->handlers_.on_writable();
		});
}

// --- timers

void RdmaLink::arm_timer(Clock::time_point at)
{
	const std::uint64_t generation = ++timer_generation_;
	timer_.expires_at(at);
	timer_.async_wait([weak = weak_from_this(), generation](const boost::system::error_code& ec) {
		auto self = weak.lock();
		if (!ec && self && self->timer_generation_ == generation)
			self->on_timer();
	});
}

void RdmaLink::on_timer()
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

void RdmaLink::on_keepalive()
{
	Keepalive::Due due = keepalive_.due(Clock::now(), !tx_.empty());
	if (due == Keepalive::Due::silent || due == Keepalive::Due::stalled) {
		// "Nothing received" means nothing arrived, not nothing handled:
		// after a busy spell of the event loop the peer's frames (or
		// credits) may be waiting in the completion queue, with their
		// completion event queued behind this timer.
		poll_completions();
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
		end(LogLevel::warn,
		    "the peer took none of " + std::to_string(tx_.frames()) + " queued frames for " +
			    ms(keepalive_.timeout()) + " (no credits): peer lost",
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

void RdmaLink::close(const std::string& reason)
{
	if (phase_ == Phase::closing || phase_ == Phase::closed)
		return;
	std::optional<Message> last;
	if (phase_ != Phase::handshaking)
		last = Goodbye{};
	end(LogLevel::info, "closing: " + reason, std::move(last), false);
}

void RdmaLink::end(LogLevel level, const std::string& reason, std::optional<Message> last,
		   bool notify)
{
	if (phase_ == Phase::closing || phase_ == Phase::closed)
		return;
	const bool tell_owner = notify && phase_ == Phase::running && handlers_.on_lost;
	log(level, reason);
	// Every queued frame is unstarted: a posted one left the queue.
	post_releases(tx_.clear());
	if (last && begun_) {
		tx_.force_push(encode_split(*last, send_version()), {});
		phase_ = Phase::closing;
		arm_timer(Clock::now() + close_linger);
		pump();
	} else {
		finish();
	}
	if (tell_owner) {
		const auto self = shared_from_this();
		handlers_.on_lost(reason);
	}
}

void RdmaLink::finish()
{
	if (phase_ == Phase::closed)
		return;
	phase_ = Phase::closed;
	++timer_generation_;
	timer_.cancel();
	stop_watching();
	held_.clear();
	if (endpoint_) {
		// Disconnected and freed from the event loop, after whatever
		// handler is running returns; its connection id kept until the
		// port is up again if the link was cut under it (retire()).
		rdma::retire(timer_.get_executor(), std::move(*endpoint_));
		endpoint_.reset();
	}
	post_releases(tx_.clear());
	if (hooks_.on_closed)
		asio::post(timer_.get_executor(),
			   [hook = std::move(hooks_.on_closed), e = established_] { hook(e); });
	hooks_.on_closed = nullptr;
}

void RdmaLink::stop_watching() noexcept
{
	// release(), not close(): the fds belong to the endpoint's channels.
	// Pending waits end with operation_aborted.
	boost::system::error_code ignored;
	if (completions_watch_.is_open()) {
		completions_watch_.cancel(ignored);
		(void)completions_watch_.release();
	}
	if (events_watch_.is_open()) {
		events_watch_.cancel(ignored);
		(void)events_watch_.release();
	}
}

} // namespace hpsd::replication
