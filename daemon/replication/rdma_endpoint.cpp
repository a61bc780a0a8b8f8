// SPDX-License-Identifier: GPL-2.0-only
#include "replication/rdma_endpoint.hpp"

#include "replication/deferred_release.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <memory>

namespace hpsd::replication::rdma {

rdma_conn_param connection_parameters() noexcept
{
	rdma_conn_param param{};
	param.responder_resources = 0;
	param.initiator_depth = 0;
	param.retry_count = 7;	   // the most; 7 is not "forever" for this one
	param.rnr_retry_count = 3; // 7 would be forever
	return param;
}

RdmaEndpoint::RdmaEndpoint(EventChannel channel, CmId id) noexcept
	: channel_(std::move(channel)), id_(std::move(id))
{
}

RdmaEndpoint::~RdmaEndpoint()
{
	disconnect();
}

hps::Result<RdmaEndpoint, std::string> RdmaEndpoint::open()
{
	auto channel = make_event_channel();
	if (!channel)
		return hps::fail(std::move(channel).error());
	rdma_cm_id* raw = nullptr;
	if (rdma_create_id(channel->get(), &raw, nullptr, RDMA_PS_TCP) != 0)
		return hps::fail(failure("rdma_create_id"));
	return RdmaEndpoint(std::move(channel).value(), CmId(raw));
}

hps::Result<RdmaEndpoint, std::string> RdmaEndpoint::adopt(CmId id)
{
	auto channel = make_event_channel();
	if (!channel)
		return hps::fail(std::move(channel).error());
	// Only once the request's event is acknowledged: rdma_migrate_id()
	// waits for every event it reported on the old channel to be.
	if (rdma_migrate_id(id.get(), channel->get()) != 0)
		return hps::fail(failure("rdma_migrate_id"));
	return RdmaEndpoint(std::move(channel).value(), std::move(id));
}

hps::Result<void, std::string> RdmaEndpoint::create_queue_pair(const RdmaOptions& options)
{
	ibv_context* verbs = id_->verbs;
	if (!verbs)
		return hps::fail(std::string("the connection id has no RDMA device"));
	pd_.reset(ibv_alloc_pd(verbs));
	if (!pd_)
		return hps::fail(failure("ibv_alloc_pd"));
	completions_.reset(ibv_create_comp_channel(verbs));
	if (!completions_)
		return hps::fail(failure("ibv_create_comp_channel"));
	if (auto ok = set_nonblocking(completions_->fd, "completion channel O_NONBLOCK"); !ok)
		return ok;

	const std::uint32_t window = RdmaCredits(options.receive_window).window();
	const std::uint32_t receives = RdmaCredits::handshake_credits + window + RdmaCredits::credit_buffers;
	const std::uint32_t sends = std::max<std::uint32_t>(options.send_depth, 1);
	cq_.reset(ibv_create_cq(verbs, static_cast<int>(receives + sends), nullptr, completions_.get(), 0));
	if (!cq_)
		return hps::fail(failure("ibv_create_cq"));

	ibv_qp_init_attr attr{};
	attr.send_cq = cq_.get();
	attr.recv_cq = cq_.get();
	attr.qp_type = IBV_QPT_RC;
	attr.cap.max_send_wr = sends;
	attr.cap.max_recv_wr = receives;
	// One piece per frame either way: sends are copied whole into the
	// send ring, receives land whole in one buffer.
	attr.cap.max_send_sge = 1;
	attr.cap.max_recv_sge = 1;
	attr.sq_sig_all = 0; // only the sends marked IBV_SEND_SIGNALED complete visibly
	if (rdma_create_qp(id_.get(), pd_.get(), &attr) != 0)
		return hps::fail(failure("rdma_create_qp"));
	qp_ = QueuePair(id_.get());

	const std::size_t handshake = RdmaCredits::handshake_credits;
	if (auto ok = register_buffer(Buffer::handshake_receive, handshake * handshake_frame_bytes); !ok)
		return ok;
	if (auto ok = register_buffer(Buffer::handshake_send, 2 * handshake * handshake_frame_bytes); !ok)
		return ok;
	for (std::size_t i = 0; i < handshake; i++)
		if (auto ok = post_receive(Buffer::handshake_receive, i * handshake_frame_bytes,
					   handshake_frame_bytes, receive_bit | i);
		    !ok)
			return ok;
	return {};
}

std::string RdmaEndpoint::peer_address() const
{
	return address_text(rdma_get_peer_addr(id_.get()));
}

hps::Result<void, std::string> RdmaEndpoint::register_buffer(Buffer which, std::size_t bytes)
{
	auto buffer = RegisteredBuffer::create(pd_.get(), bytes);
	if (!buffer)
		return hps::fail(std::move(buffer).error());
	buffers_[static_cast<std::size_t>(which)] = std::move(buffer).value();
	return {};
}

hps::Result<void, std::string> RdmaEndpoint::post_receive(Buffer which, std::size_t offset,
							  std::size_t bytes, std::uint64_t wr_id)
{
	const RegisteredBuffer& b = buffer(which);
	ibv_sge sge{};
	sge.addr = b.address(offset);
	sge.length = static_cast<std::uint32_t>(bytes);
	sge.lkey = b.lkey();
	ibv_recv_wr wr{};
	wr.wr_id = wr_id;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	ibv_recv_wr* bad = nullptr;
	if (const int err = ibv_post_recv(qp_.get(), &wr, &bad); err != 0)
		return hps::fail(failure("ibv_post_recv", err));
	return {};
}

hps::Result<void, std::string> RdmaEndpoint::post_send(ibv_send_wr& first)
{
	ibv_send_wr* bad = nullptr;
	if (const int err = ibv_post_send(qp_.get(), &first, &bad); err != 0)
		return hps::fail(failure("ibv_post_send", err));
	return {};
}

hps::Result<void, std::string> RdmaEndpoint::rearm()
{
	ibv_cq* cq = nullptr;
	void* context = nullptr;
	while (ibv_get_cq_event(completions_.get(), &cq, &context) == 0)
		ibv_ack_cq_events(cq, 1);
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		return hps::fail(failure("ibv_get_cq_event"));
	if (const int err = ibv_req_notify_cq(cq_.get(), 0); err != 0)
		return hps::fail(failure("ibv_req_notify_cq", err));
	return {};
}

hps::Result<std::size_t, std::string> RdmaEndpoint::poll(std::span<ibv_wc> out)
{
	const int n = ibv_poll_cq(cq_.get(), static_cast<int>(out.size()), out.data());
	if (n < 0)
		return hps::fail(std::string("ibv_poll_cq failed"));
	return static_cast<std::size_t>(n);
}

void RdmaEndpoint::disconnect() noexcept
{
	if (disconnected_ || !id_ || !qp_)
		return;
	disconnected_ = true;
	// Moves the queue pair to the error state (what is posted flushes)
	// and tells the peer.  Fails harmlessly if it never connected.
	(void)rdma_disconnect(id_.get());
}

bool RdmaEndpoint::port_active() const noexcept
{
	if (!id_ || !id_->verbs)
		return true;
	ibv_port_attr attr{};
	if (ibv_query_port(id_->verbs, id_->port_num, &attr) != 0)
		return true;
	return attr.state == IBV_PORT_ACTIVE;
}

void RdmaEndpoint::release_verbs() noexcept
{
	// In the order the libraries need (rdma_resources.hpp): memory
	// regions, the queue pair, its completion queue, the channel, the
	// protection domain.  Without a queue pair disconnect() does nothing:
	// destroying the id later tells the peer.
	for (RegisteredBuffer& b : buffers_)
		b = RegisteredBuffer();
	qp_.reset();
	cq_.reset();
	completions_.reset();
	pd_.reset();
}

void retire(const boost::asio::any_io_executor& executor, RdmaEndpoint endpoint)
{
	constexpr std::chrono::milliseconds port_poll{1000};
	auto doomed = std::make_shared<RdmaEndpoint>(std::move(endpoint));
	if (doomed->port_active()) {
		doomed->disconnect();
		boost::asio::post(executor, [doomed] {});
		return;
	}
	boost::asio::post(executor, [doomed] { doomed->release_verbs(); });
	// Both functions live in the one wait: `ready` may use the pointer
	// for as long as `release` holds the endpoint, and the endpoint goes
	// (disconnect, destroy) with the wait, right after it is ready.
	const RdmaEndpoint* parked = doomed.get();
	release_when(
		executor, [parked] { return parked->port_active(); }, [doomed] {}, port_poll);
}

} // namespace hpsd::replication::rdma
