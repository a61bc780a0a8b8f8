// SPDX-License-Identifier: GPL-2.0-only
// RdmaLink: its set-up, the handshake's RDMA part, sending and the close.
// What it does on completions and connection-manager events is in
// rdma_link_events.cpp; the rest of a link's life is FramedLink's.
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
	: FramedLink(io.get_executor(), std::move(handshake), settings, endpoint.peer_address(),
		     std::move(hooks)),
	  options_(options), credits_(options.receive_window),
	  sender_(options, endpoint.buffer(Buffer::handshake_send).size()),
	  endpoint_(std::move(endpoint)), completions_watch_(io), events_watch_(io)
{
}

RdmaLink::~RdmaLink()
{
	// Dropped without close(): no GOODBYE (nothing may refer to this
	// object any more).  The endpoint disconnects as it goes.
	dropped();
	// The fds are the channels'; the watches must not close them.
	stop_watching();
	if (endpoint_) {
		rdma::retire(executor(), std::move(*endpoint_));
		endpoint_.reset();
	}
}

// --- handshake

void RdmaLink::begin()
{
	if (!handshaking() || begun_)
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
	watch_events();
	if (auto armed = endpoint_->rearm(); !armed) {
		end(LogLevel::warn, armed.error(), std::nullopt, false);
		return;
	}
	begin_handshake();
	// The peer's first frame may be in already (the acceptor's HELLO):
	// poll once, then wait.
	if (phase() != Phase::closed)
		poll_completions();
	if (phase() != Phase::closed)
		watch_completions();
}

// Authenticated: the window's buffers go up before the handshake's last
// message (the acceptor's RESPONSE) is posted, so that message grants them.
hps::Result<void, std::string> RdmaLink::authenticated(const Peer& peer, const Limits& receive)
{
	// Receiving: full-size buffers for what this side accepts, the
	// window and the credit messages' two.
	receive_frame_ = max_frame_bytes(receive);
	const std::uint32_t buffers = credits_.window() + RdmaCredits::credit_buffers;
	if (auto ok = endpoint_->register_buffer(Buffer::receive, std::size_t{buffers} * receive_frame_); !ok)
		return ok;
	for (std::uint32_t i = 0; i < buffers; i++)
		if (!repost(RdmaCredits::handshake_credits + i))
			return hps::fail(std::string("cannot post the receive buffers"));
	credits_.open_window();

	// Sending: a ring for what the peer accepts, at least two of its
	// largest frames so one can be copied while another is in flight.
	const std::size_t max_frame = max_frame_bytes(
		Limits{peer.version, peer.version, peer.max_write_bytes, Limits{}.max_clean_entries});
	const std::size_t ring = std::max(options_.send_ring_bytes, 2 * max_frame);
	if (auto ok = endpoint_->register_buffer(Buffer::send, ring); !ok)
		return ok;
	sender_.use_data_ring(ring, max_frame);
	return {};
}

std::string RdmaLink::transport_note() const
{
	return " (RDMA, window " + std::to_string(credits_.window()) + ")";
}

// --- sending

// Posts what can go (RdmaSender), then lets the owner know if the queue
// has room again.
void RdmaLink::pump()
{
	if (!endpoint_ || phase() == Phase::closed)
		return;
	RdmaSender::Posted posted = sender_.pump(*endpoint_, tx_, credits_, phase() == Phase::closing);
	post_releases(std::move(posted.released));
	if (posted.error) {
		if (phase() == Phase::closing)
			finish();
		else
			end(LogLevel::warn, *posted.error, std::nullopt, true);
		return;
	}
	if (posted.any && phase() == Phase::running)
		keepalive_.progressed(Clock::now());
	if (phase() == Phase::running && tx_.take_room() && handlers_.on_writable)
		asio::post(executor(), [weak = weak_from_this()] {
			if (auto self = lock_as<RdmaLink>(weak); self && self->phase() == Phase::running &&
						     self->handlers_.on_writable)
				self->handlers_.on_writable();
		});
}

// --- keepalive

// "Nothing received" means nothing arrived, not nothing handled: after a
// busy spell of the event loop the peer's frames (or credits) may be
// waiting in the completion queue, with their completion event queued
// behind the keepalive's timer.
void RdmaLink::before_peer_lost()
{
	poll_completions();
}

std::string RdmaLink::stalled_text() const
{
	return "the peer took none of " + std::to_string(tx_.frames()) + " queued frames for " +
	       ms(keepalive_.timeout()) + " (no credits)";
}

// --- closing

// Every queued frame is unstarted: a posted one left the queue.
std::vector<Release> RdmaLink::drop_unsent()
{
	return tx_.clear();
}

void RdmaLink::shut()
{
	stop_watching();
	held_.clear();
	if (endpoint_) {
		// Disconnected and freed from the event loop, after whatever
		// handler is running returns; its connection id kept until the
		// port is up again if the link was cut under it (retire()).
		rdma::retire(executor(), std::move(*endpoint_));
		endpoint_.reset();
	}
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
