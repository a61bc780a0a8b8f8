// SPDX-License-Identifier: GPL-2.0-only
#include "replication/rdma_sender.hpp"

#include "replication/link_common.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace hpsd::replication {
namespace {

// A SendWindow tag: the send ring's mark, and which ring it is of (the
// handshake's small one, or the data ring that replaces it once
// authenticated: a completion of a handshake frame must not give back
// data-ring space).
constexpr std::uint64_t data_ring_bit = std::uint64_t{1} << 63;

} // namespace

RdmaSender::RdmaSender(const RdmaOptions& options, std::size_t handshake_ring_bytes)
	: window_(options.send_depth, options.signal_every), ring_(handshake_ring_bytes),
	  max_frame_(handshake_frame_bytes)
{
}

void RdmaSender::use_data_ring(std::size_t bytes, std::size_t max_frame)
{
	ring_ = SendRing(bytes);
	ring_buffer_ = Buffer::send;
	max_frame_ = max_frame;
}

void RdmaSender::add(std::uint64_t id, bool signaled, std::uint32_t credits, std::optional<ibv_sge> sge)
{
	ibv_send_wr wr{};
	wr.wr_id = id;
	wr.opcode = IBV_WR_SEND_WITH_IMM;
	wr.imm_data = htonl(credits);
	wr.send_flags = signaled ? IBV_SEND_SIGNALED : 0;
	wr.num_sge = sge ? 1 : 0;
	if (sge)
		sges_.push_back(*sge);
	wrs_.push_back(wr);
}

RdmaSender::Posted RdmaSender::pump(rdma::RdmaEndpoint& endpoint, SendQueue& queue,
				    RdmaCredits& credits, bool closing)
{
	const rdma::RegisteredBuffer& buffer = endpoint.buffer(ring_buffer_);
	const std::uint64_t ring_bit = ring_buffer_ == Buffer::send ? data_ring_bit : 0;
	Posted posted;
	wrs_.clear();
	sges_.clear();

	while (!queue.empty() && credits.available() > 0 && window_.has_room()) {
		const EncodedFrame& frame = queue.front();
		const std::size_t size = frame.head.size() + frame.data.size();
		const auto piece = ring_.allocate(size);
		if (!piece)
			break; // the ring is full: a signalled SEND will free it
		const std::span<std::byte> into = buffer.bytes().subspan(piece->offset, size);
		std::memcpy(into.data(), frame.head.data(), frame.head.size());
		if (!frame.data.empty())
			std::memcpy(into.data() + frame.head.size(), frame.data.data(), frame.data.size());
		const bool last = closing && queue.frames() == 1;
		const auto post = window_.post(last || !ring_.can_fit(max_frame_), piece->mark | ring_bit);
		add(post.id, post.signaled, credits.take_owed(),
		    ibv_sge{buffer.address(piece->offset), static_cast<std::uint32_t>(size), buffer.lkey()});
		credits.spend();
		if (last)
			last_ = post.id;
		for (Release& release : queue.written(size))
			posted.released.push_back(std::move(release));
	}
	// No frame carried what is owed: a credit message (no payload, so no
	// ring space and no credit: it lands in a credit buffer).
	if (!closing && credits.credit_message_due() && window_.has_room()) {
		const auto post = window_.post(false, ring_.mark() | ring_bit);
		add(post.id, post.signaled, credits.take_owed(), std::nullopt);
	}
	if (wrs_.empty())
		return posted;

	// Linked only now: sges_ does not move any more.
	std::size_t sge = 0;
	for (std::size_t i = 0; i < wrs_.size(); i++) {
		if (wrs_[i].num_sge == 1)
			wrs_[i].sg_list = &sges_[sge++];
		wrs_[i].next = i + 1 < wrs_.size() ? &wrs_[i + 1] : nullptr;
	}
	if (auto ok = endpoint.post_send(wrs_.front()); !ok)
		posted.error = std::move(ok).error();
	else
		posted.any = true;
	return posted;
}

bool RdmaSender::completed(std::uint64_t wr_id)
{
	if (const auto tag = window_.completed(wr_id)) {
		const bool data_ring = (*tag & data_ring_bit) != 0;
		if (data_ring == (ring_buffer_ == Buffer::send))
			ring_.release_to(*tag & ~data_ring_bit);
	}
	return last_ && wr_id >= *last_;
}

} // namespace hpsd::replication
