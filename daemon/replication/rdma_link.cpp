// SPDX-License-Identifier: GPL-2.0-only
#include "replication/rdma_link.hpp"

#include "replication/codec.hpp"
#include "replication/link_common.hpp"

#include <boost/asio/post.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace hpsd::replication {
namespace {

namespace asio = boost::asio;
using rdma::RdmaEndpoint;

// Completions taken from the queue per ibv_poll_cq call.
constexpr std::size_t poll_batch = 16;

// A SendWindow tag: the send ring's mark, and which ring it is of (the
// handshake's small one, or the data ring that replaces it once
// authenticated: a completion of a handshake frame must not give back
// data-ring space).
constexpr std::uint64_t data_ring_bit = std::uint64_t{1} << 63;

std::uint64_t receive_id(std::uint32_t index)
{
	return RdmaEndpoint::receive_bit | index;
}

std::string status_text(const ibv_wc& wc)
{
	return std::string(ibv_wc_status_str(wc.status)) + " (status " + std::to_string(wc.status) +
	       ", vendor error " + std::to_string(wc.vendor_err) + ")";
}

} // namespace

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
	  window_(options.send_depth, options.signal_every),
	  ring_(endpoint.buffer(Buffer::handshake_send).size()),
	  max_frame_out_(handshake_frame_bytes), endpoint_(std::move(endpoint)), timer_(io),
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
	max_frame_out_ = max_frame_bytes(
		Limits{peer.version, peer.version, peer.max_write_bytes, Limits{}.max_clean_entries});
	const std::size_t ring = std::max(options_.send_ring_bytes, 2 * max_frame_out_);
	if (auto ok = endpoint_->register_buffer(Buffer::send, ring); !ok)
		return ok;
	ring_ = SendRing(ring);
	ring_buffer_ = Buffer::send;
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

// --- completions

void RdmaLink::watch_completions()
{
	completions_watch_.async_wait(asio::posix::stream_descriptor::wait_read,
				      [weak = weak_from_this()](const boost::system::error_code& ec) {
					      if (auto self = weak.lock(); self && !ec)
						      self->on_completion_event();
				      });
}

void RdmaLink::on_completion_event()
{
	if (phase_ == Phase::closed)
		return;
	// Acknowledge and re-arm first, then poll the queue dry: a completion
	// that arrives after the poll raises a new event.
	if (auto armed = endpoint_->rearm(); !armed) {
		end(LogLevel::warn, armed.error(), std::nullopt, true);
		return;
	}
	poll_completions();
	if (phase_ != Phase::closed)
		watch_completions();
}

void RdmaLink::poll_completions()
{
	const auto self = shared_from_this(); // handlers may drop the owner's reference
	std::array<ibv_wc, poll_batch> batch{};
	while (phase_ != Phase::closed) {
		// Authenticated but not started: what came in waits for start().
		if (phase_ == Phase::established)
			break;
		if (held_.empty()) {
			auto n = endpoint_->poll(batch);
			if (!n) {
				end(LogLevel::warn, n.error(), std::nullopt, true);
				return;
			}
			if (*n == 0)
				break;
			held_.insert(held_.end(), batch.begin(), batch.begin() + static_cast<long>(*n));
		}
		const ibv_wc wc = held_.front();
		held_.pop_front();
		on_completion(wc);
	}
	pump();
}

void RdmaLink::on_completion(const ibv_wc& wc)
{
	if (wc.wr_id & RdmaEndpoint::receive_bit)
		on_receive(wc);
	else
		on_send_done(wc);
}

void RdmaLink::on_send_done(const ibv_wc& wc)
{
	if (wc.status != IBV_WC_SUCCESS) {
		// Once one send fails the queue pair is in error and the rest
		// flush: only the first is news.
		if (phase_ == Phase::closing)
			finish();
		else if (active())
			end(LogLevel::warn, "RDMA send failed: " + status_text(wc), std::nullopt, true);
		return;
	}
	if (const auto tag = window_.completed(wc.wr_id)) {
		const bool data_ring = (*tag & data_ring_bit) != 0;
		if (data_ring == (ring_buffer_ == Buffer::send))
			ring_.release_to(*tag & ~data_ring_bit);
	}
	if (phase_ == Phase::closing && last_send_ && wc.wr_id >= *last_send_)
		finish();
}

void RdmaLink::on_receive(const ibv_wc& wc)
{
	// Closing: nothing more is read.
	if (!active())
		return;
	if (wc.status != IBV_WC_SUCCESS) {
		end(LogLevel::warn, "RDMA receive failed: " + status_text(wc), std::nullopt, true);
		return;
	}
	const auto index = static_cast<std::uint32_t>(wc.wr_id & ~RdmaEndpoint::receive_bit);
	const bool handshake_buffer = index < RdmaCredits::handshake_credits;
	if (phase_ == Phase::running)
		keepalive_.received(Clock::now());
	if (wc.wc_flags & IBV_WC_WITH_IMM) {
		const std::uint32_t credits = ntohl(wc.imm_data);
		if (!credits_.granted(credits)) {
			const std::string reason = "the peer granted " + std::to_string(credits) +
						   " more credits, more than any window";
			end(LogLevel::warn, reason, Error{ErrorCode::protocol, error_text(reason)}, true);
			return;
		}
	}
	if (wc.byte_len == 0) {
		// A credit message: its buffer goes straight back up, and is
		// not owed to the peer (rdma_credits.hpp).
		if (handshake_buffer) {
			const std::string reason = "bad frame: an empty message during the handshake";
			end(LogLevel::warn, reason, Error{ErrorCode::protocol, reason}, true);
		} else {
			(void)repost(index);
		}
		return;
	}

	const std::span<const std::byte> frame =
		handshake_buffer
			? endpoint_->buffer(Buffer::handshake_receive)
				  .bytes()
				  .subspan(index * handshake_frame_bytes, wc.byte_len)
			: endpoint_->buffer(Buffer::receive)
				  .bytes()
				  .subspan((index - RdmaCredits::handshake_credits) * receive_frame_,
					   wc.byte_len);
	auto message = decode(frame, handshake_ ? handshake_->receive_limits() : limits_);
	if (!message) {
		const std::string reason = "bad frame: " + message.error();
		end(LogLevel::warn, reason, Error{ErrorCode::protocol, error_text(reason)}, true);
		return;
	}
	if (phase_ == Phase::handshaking)
		on_handshake_step(handshake_->receive(*message));
	else
		on_message(*message);
	// The frame is handled (a WRITE's data was valid only during the
	// call): its buffer goes back up and the peer gets its credit back.
	// The handshake's buffers never do.
	if (!handshake_buffer && phase_ == Phase::running && repost(index))
		credits_.consumed();
}

bool RdmaLink::repost(std::uint32_t index)
{
	const std::size_t offset = std::size_t{index - RdmaCredits::handshake_credits} * receive_frame_;
	if (auto ok = endpoint_->post_receive(Buffer::receive, offset, receive_frame_, receive_id(index));
	    !ok) {
		end(LogLevel::warn, ok.error(), std::nullopt, true);
		return false;
	}
	return true;
}

void RdmaLink::on_message(const Message& message)
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

// --- connection manager events

void RdmaLink::watch_events()
{
	events_watch_.async_wait(asio::posix::stream_descriptor::wait_read,
				 [weak = weak_from_this()](const boost::system::error_code& ec) {
					 if (auto self = weak.lock(); self && !ec)
						 self->on_events();
				 });
}

void RdmaLink::on_events()
{
	const auto self = shared_from_this();
	while (phase_ != Phase::closed) {
		auto event = rdma::next_cm_event(endpoint_->events());
		if (!event) {
			end(LogLevel::warn, event.error(), std::nullopt, true);
			return;
		}
		if (!*event)
			break;
		const rdma_cm_event_type type = (*event)->event;
		event->reset(); // acknowledged before acting on it
		switch (type) {
		case RDMA_CM_EVENT_DISCONNECTED:
			on_disconnected();
			break;
		case RDMA_CM_EVENT_DEVICE_REMOVAL:
			end(LogLevel::warn, "the RDMA device was removed", std::nullopt, true);
			break;
		default:
			// ESTABLISHED (the acceptor's, after it could send
			// already), TIMEWAIT_EXIT, ADDR_CHANGE: nothing to do.
			break;
		}
	}
	if (phase_ != Phase::closed)
		watch_events();
}

void RdmaLink::on_disconnected()
{
	if (phase_ == Phase::closing) {
		finish();
		return;
	}
	// A GOODBYE or ERROR the peer sent before it disconnected is in the
	// completion queue already (its send completed before it called
	// rdma_disconnect): read it first, so the reason is the right one.
	if (phase_ == Phase::running || phase_ == Phase::handshaking)
		poll_completions();
	if (!active())
		return;
	std::string reason = "the peer closed the connection";
	if (phase_ == Phase::handshaking)
		reason += " during the handshake";
	end(phase_ == Phase::running ? LogLevel::warn : LogLevel::info, reason, std::nullopt, true);
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

// Posts what can go: queued frames while there are credits, send-queue
// room and ring space, each copied into the ring and carrying the credits
// owed; then, if enough is still owed, a credit message.  One
// ibv_post_send for all of them.
void RdmaLink::pump()
{
	if (!endpoint_ || phase_ == Phase::closed)
		return;
	const rdma::RegisteredBuffer& buffer = endpoint_->buffer(ring_buffer_);
	const std::uint64_t ring_bit = ring_buffer_ == Buffer::send ? data_ring_bit : 0;
	std::vector<Release> released;
	wrs_.clear();
	sges_.clear();
	auto add = [&](std::uint64_t id, bool signaled, std::optional<ibv_sge> sge) {
		ibv_send_wr wr{};
		wr.wr_id = id;
		wr.opcode = IBV_WR_SEND_WITH_IMM;
		wr.imm_data = htonl(credits_.take_owed());
		wr.send_flags = signaled ? IBV_SEND_SIGNALED : 0;
		wr.num_sge = sge ? 1 : 0;
		if (sge)
			sges_.push_back(*sge);
		wrs_.push_back(wr);
	};

	while (!tx_.empty() && credits_.available() > 0 && window_.has_room()) {
		const EncodedFrame& frame = tx_.front();
		const std::size_t size = frame.head.size() + frame.data.size();
		const auto piece = ring_.allocate(size);
		if (!piece)
			break; // the ring is full: a signalled SEND will free it
		// Copied, not sent from the caller's memory: the data is not
		// registered (zero copy needs the kernel channel's buffer
		// registered, later).  So its release is due right away.
		const std::span<std::byte> into = buffer.bytes().subspan(piece->offset, size);
		std::memcpy(into.data(), frame.head.data(), frame.head.size());
		if (!frame.data.empty())
			std::memcpy(into.data() + frame.head.size(), frame.data.data(), frame.data.size());
		// Signalled: the last frame of a closing link (to know it went),
		// and any that leaves no room for another (so space comes back).
		const bool last = phase_ == Phase::closing && tx_.frames() == 1;
		const auto post = window_.post(last || !ring_.can_fit(max_frame_out_), piece->mark | ring_bit);
		add(post.id, post.signaled,
		    ibv_sge{buffer.address(piece->offset), static_cast<std::uint32_t>(size), buffer.lkey()});
		credits_.spend();
		if (last)
			last_send_ = post.id;
		for (Release& release : tx_.written(size))
			released.push_back(std::move(release));
	}
	if (phase_ != Phase::closing && credits_.credit_message_due() && window_.has_room()) {
		const auto post = window_.post(false, ring_.mark() | ring_bit);
		add(post.id, post.signaled, std::nullopt);
	}

	if (!wrs_.empty()) {
		// Linked only now: sges_ does not move any more.
		std::size_t sge = 0;
		for (std::size_t i = 0; i < wrs_.size(); i++) {
			if (wrs_[i].num_sge == 1)
				wrs_[i].sg_list = &sges_[sge++];
			wrs_[i].next = i + 1 < wrs_.size() ? &wrs_[i + 1] : nullptr;
		}
		if (auto posted = endpoint_->post_send(wrs_.front()); !posted) {
			post_releases(std::move(released));
			if (phase_ == Phase::closing)
				finish();
			else
				end(LogLevel::warn, posted.error(), std::nullopt, true);
			return;
		}
		if (phase_ == Phase::running)
			keepalive_.progressed(Clock::now());
	}
	post_releases(std::move(released));
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
		// Disconnect now (the peer learns at once); free the buffers and
		// verbs objects from the event loop, after whatever handler is
		// running returns: a WRITE it was given may point into them.
		endpoint_->disconnect();
		auto doomed = std::make_shared<RdmaEndpoint>(std::move(*endpoint_));
		endpoint_.reset();
		asio::post(timer_.get_executor(), [doomed = std::move(doomed)] {});
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
