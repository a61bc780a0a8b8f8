// SPDX-License-Identifier: GPL-2.0-only
#include "hps-rdma-selftest/raw_peer.hpp"

#include "replication/handshake.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace rdmatest {

using rdma::RdmaEndpoint;
using Buffer = RdmaEndpoint::Buffer;

RawPeer::RawPeer(asio::io_context& io, const std::string& host, std::uint16_t port) : io_(io)
{
	auto endpoint = RdmaEndpoint::open();
	expect(endpoint.ok(), "raw peer: " + (endpoint ? std::string() : endpoint.error()));
	endpoint_.emplace(std::move(endpoint).value());
	asio::ip::tcp::endpoint to(asio::ip::make_address(host), port);
	expect(rdma_resolve_addr(endpoint_->id(), nullptr, to.data(), 2000) == 0,
	       rdma::failure("raw peer: rdma_resolve_addr"));
	expect(next_event() == RDMA_CM_EVENT_ADDR_RESOLVED, "raw peer: address not resolved");
	expect(rdma_resolve_route(endpoint_->id(), 2000) == 0, rdma::failure("raw peer: rdma_resolve_route"));
	expect(next_event() == RDMA_CM_EVENT_ROUTE_RESOLVED, "raw peer: route not resolved");
	auto qp = endpoint_->create_queue_pair(RdmaOptions{});
	expect(qp.ok(), "raw peer: " + (qp ? std::string() : qp.error()));
	rdma_conn_param param = rdma::connection_parameters();
	expect(rdma_connect(endpoint_->id(), &param) == 0, rdma::failure("raw peer: rdma_connect"));
	expect(next_event() == RDMA_CM_EVENT_ESTABLISHED, "raw peer: not connected");
}

std::optional<rdma_cm_event_type> RawPeer::next_event()
{
	std::optional<rdma_cm_event_type> type;
	(void)run_until(io_, [&] {
		auto event = rdma::next_cm_event(endpoint_->events());
		if (!event || !*event)
			return false;
		type = (*event)->event;
		return true;
	});
	if (type == RDMA_CM_EVENT_DISCONNECTED)
		disconnected_ = true;
	return type;
}

void RawPeer::poll()
{
	std::array<ibv_wc, 8> wcs{};
	for (;;) {
		auto n = endpoint_->poll(wcs);
		if (!n || *n == 0)
			return;
		for (std::size_t i = 0; i < *n; i++) {
			if (wcs[i].wr_id & RdmaEndpoint::receive_bit) {
				received_.push_back(wcs[i]);
			} else {
				send_done_ = true;
				send_failed_ = send_failed_ || wcs[i].status != IBV_WC_SUCCESS;
			}
		}
	}
}

bool RawPeer::send(const Bytes& bytes, std::uint32_t credits)
{
	const rdma::RegisteredBuffer& buffer = endpoint_->buffer(Buffer::handshake_send);
	expect(bytes.size() <= buffer.size(), "raw peer: frame too large for its buffer");
	std::memcpy(buffer.bytes().data(), bytes.data(), bytes.size());
	ibv_sge sge{buffer.address(0), static_cast<std::uint32_t>(bytes.size()), buffer.lkey()};
	ibv_send_wr wr{};
	wr.wr_id = next_send_++;
	wr.opcode = IBV_WR_SEND_WITH_IMM;
	wr.imm_data = htonl(credits);
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	send_done_ = false;
	if (!endpoint_->post_send(wr))
		return false;
	(void)run_until(io_, [&] {
		poll();
		return send_done_;
	});
	return send_done_ && !send_failed_;
}

std::optional<Message> RawPeer::next(const Limits& limits)
{
	(void)run_until(io_, [&] {
		poll();
		if (!received_.empty())
			return true;
		// A disconnect ends the wait (it is read here, not lost).
		auto event = rdma::next_cm_event(endpoint_->events());
		if (event && *event && (*event)->event == RDMA_CM_EVENT_DISCONNECTED)
			disconnected_ = true;
		return disconnected_;
	});
	poll();
	if (received_.empty())
		return std::nullopt;
	const ibv_wc wc = received_.front();
	received_.pop_front();
	if (wc.status != IBV_WC_SUCCESS)
		return std::nullopt;
	if (wc.wc_flags & IBV_WC_WITH_IMM)
		granted_ += ntohl(wc.imm_data);
	const std::size_t index = wc.wr_id & ~RdmaEndpoint::receive_bit;
	const auto frame = endpoint_->buffer(Buffer::handshake_receive)
				   .bytes()
				   .subspan(index * handshake_frame_bytes, wc.byte_len);
	auto message = decode(frame, limits);
	expect(message.ok(), "raw peer: the listener sent a bad frame: " +
				     (message ? std::string() : message.error()));
	return std::move(message).value();
}

bool RawPeer::handshake(const LinkSettings& mine, const std::string& expected_peer)
{
	HandshakeConfig config;
	config.cluster = mine.cluster;
	config.node = mine.node;
	config.expected_peer = expected_peer;
	auto hs = Handshake::create(Handshake::Role::initiator, config, *mine.secret, *mine.nonces);
	expect(hs.ok(), "raw peer: handshake set-up");
	Handshake::Step step = hs->start();
	while (step && step->has_value() && !hs->established()) {
		if (!send(encode(**step, hs->send_version())))
			return false;
		auto reply = next(hs->receive_limits());
		if (!reply)
			return false;
		step = hs->receive(*reply);
	}
	return step && hs->established();
}

bool RawPeer::wait_disconnected()
{
	(void)run_until(io_, [&] {
		auto event = rdma::next_cm_event(endpoint_->events());
		if (event && *event && (*event)->event == RDMA_CM_EVENT_DISCONNECTED)
			disconnected_ = true;
		return disconnected_;
	});
	return disconnected_;
}

} // namespace rdmatest
