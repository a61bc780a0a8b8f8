// SPDX-License-Identifier: GPL-2.0-only
// RdmaLink's side of its two event sources: the completion queue (frames
// and credits in, sends done) and the connection manager's events
// (disconnects).  The rest of the link is in rdma_link.cpp.
#include "replication/rdma_link.hpp"

#include "replication/codec.hpp"
#include "replication/link_common.hpp"

#include <boost/asio/post.hpp>

#include <arpa/inet.h>

#include <array>

namespace hpsd::replication {
namespace {

namespace asio = boost::asio;
using rdma::RdmaEndpoint;

// Completions taken from the queue per ibv_poll_cq call.
constexpr std::size_t poll_batch = 16;

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

// --- completions

void RdmaLink::watch_completions()
{
	completions_watch_.async_wait(asio::posix::stream_descriptor::wait_read,
				      [weak = weak_from_this()](const boost::system::error_code& ec) {
					      if (auto self = lock_as<RdmaLink>(weak); self && !ec)
						      self->on_completion_event();
				      });
}

void RdmaLink::on_completion_event()
{
	if (phase() == Phase::closed)
		return;
	// Acknowledge and re-arm first, then poll the queue dry: a completion
	// that arrives after the poll raises a new event.
	if (auto armed = endpoint_->rearm(); !armed) {
		end(LogLevel::warn, armed.error(), std::nullopt, true);
		return;
	}
	poll_completions();
	if (phase() != Phase::closed)
		watch_completions();
}

void RdmaLink::poll_completions()
{
	const auto self = shared_from_this(); // handlers may drop the owner's reference
	std::array<ibv_wc, poll_batch> batch{};
	while (phase() != Phase::closed) {
		// Authenticated but not started: what came in waits for start().
		if (phase() == Phase::established)
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
		if (phase() == Phase::closing)
			finish();
		else if (active())
			end(LogLevel::warn, failure_text(wc), std::nullopt, true);
		return;
	}
	if (sender_.completed(wc.wr_id) && phase() == Phase::closing)
		finish();
}

void RdmaLink::on_receive(const ibv_wc& wc)
{
	// Closing: nothing more is read.
	if (!active())
		return;
	if (wc.status != IBV_WC_SUCCESS) {
		end(LogLevel::warn, failure_text(wc), std::nullopt, true);
		return;
	}
	const auto index = static_cast<std::uint32_t>(wc.wr_id & ~RdmaEndpoint::receive_bit);
	const bool handshake_buffer = index < RdmaCredits::handshake_credits;
	if (phase() == Phase::running)
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
	auto message = decode(frame, receive_limits());
	if (!message) {
		const std::string reason = "bad frame: " + message.error();
		end(LogLevel::warn, reason, Error{ErrorCode::protocol, error_text(reason)}, true);
		return;
	}
	on_frame(*message);
	// The frame is handled (a WRITE's data was valid only during the
	// call): its buffer goes back up and the peer gets its credit back.
	// The handshake's buffers never do.
	if (!handshake_buffer && phase() == Phase::running && repost(index))
		credits_.consumed();
}

// Once the queue pair is in error, everything still posted completes as
// "WR Flushed"; soft-RoCE may queue those (its receives' flush) ahead of the
// send that failed, so the first failed completion taken is not always the
// cause.  The cause is the first failure that is not a flush, among what is
// still in the queue; what else is there no longer matters (the link ends).
std::string RdmaLink::failure_text(const ibv_wc& first)
{
	auto text = [](const ibv_wc& wc) {
		return std::string(wc.wr_id & RdmaEndpoint::receive_bit ? "RDMA receive failed: "
									 : "RDMA send failed: ") +
		       status_text(wc);
	};
	if (first.status != IBV_WC_WR_FLUSH_ERR || !endpoint_)
		return text(first);
	std::array<ibv_wc, poll_batch> batch{};
	for (;;) {
		for (const ibv_wc& wc : held_)
			if (wc.status != IBV_WC_SUCCESS && wc.status != IBV_WC_WR_FLUSH_ERR)
				return text(wc) + " (then the queue pair flushed)";
		held_.clear();
		auto n = endpoint_->poll(batch);
		if (!n || *n == 0)
			break;
		held_.assign(batch.begin(), batch.begin() + static_cast<long>(*n));
	}
	return text(first) + ": the queue pair went into error without a failed completion "
			     "(disconnected, or the device's port went down)";
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

// --- connection manager events

void RdmaLink::watch_events()
{
	events_watch_.async_wait(asio::posix::stream_descriptor::wait_read,
				 [weak = weak_from_this()](const boost::system::error_code& ec) {
					 if (auto self = lock_as<RdmaLink>(weak); self && !ec)
						 self->on_events();
				 });
}

void RdmaLink::on_events()
{
	const auto self = shared_from_this();
	while (phase() != Phase::closed) {
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
	if (phase() != Phase::closed)
		watch_events();
}

void RdmaLink::on_disconnected()
{
	if (phase() == Phase::closing) {
		finish();
		return;
	}
	// A GOODBYE or ERROR the peer sent before it disconnected is in the
	// completion queue already (its send completed before it called
	// rdma_disconnect): read it first, so the reason is the right one.
	if (phase() == Phase::running || phase() == Phase::handshaking)
		poll_completions();
	if (!active())
		return;
	std::string reason = "the peer closed the connection";
	if (phase() == Phase::handshaking)
		reason += " during the handshake";
	end(phase() == Phase::running ? LogLevel::warn : LogLevel::info, reason, std::nullopt, true);
}

} // namespace hpsd::replication
