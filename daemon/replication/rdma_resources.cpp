// SPDX-License-Identifier: GPL-2.0-only
#include "replication/rdma_resources.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace hpsd::replication::rdma {

QueuePair& QueuePair::operator=(QueuePair&& other) noexcept
{
	if (this != &other) {
		reset();
		id_ = std::exchange(other.id_, nullptr);
	}
	return *this;
}

void QueuePair::reset() noexcept
{
	if (id_ && id_->qp)
		rdma_destroy_qp(id_);
	id_ = nullptr;
}

hps::Result<RegisteredBuffer, std::string> RegisteredBuffer::create(ibv_pd* pd, std::size_t bytes)
{
	RegisteredBuffer b;
	b.memory_ = std::make_unique<std::byte[]>(bytes);
	b.size_ = bytes;
	b.region_.reset(ibv_reg_mr(pd, b.memory_.get(), bytes, IBV_ACCESS_LOCAL_WRITE));
	if (!b.region_)
		return hps::fail(failure(("register " + std::to_string(bytes) + " bytes").c_str()));
	return b;
}

std::string failure(const char* what, int error)
{
	return std::string(what) + ": " + std::system_category().message(error);
}

hps::Result<void, std::string> set_nonblocking(int fd, const char* what)
{
	const int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return hps::fail(failure(what));
	return {};
}

hps::Result<EventChannel, std::string> make_event_channel()
{
	EventChannel channel(rdma_create_event_channel());
	if (!channel)
		return hps::fail(failure("rdma_create_event_channel"));
	if (auto ok = set_nonblocking(channel->fd, "event channel O_NONBLOCK"); !ok)
		return hps::fail(std::move(ok).error());
	return channel;
}

hps::Result<CmEvent, std::string> next_cm_event(rdma_event_channel* channel)
{
	rdma_cm_event* event = nullptr;
	if (rdma_get_cm_event(channel, &event) == 0)
		return CmEvent(event);
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return CmEvent();
	return hps::fail(failure("rdma_get_cm_event"));
}

std::string event_text(const rdma_cm_event& event)
{
	std::string what;
	switch (event.event) {
	case RDMA_CM_EVENT_ADDR_ERROR:
		what = "address resolution failed";
		break;
	case RDMA_CM_EVENT_ROUTE_ERROR:
		what = "route resolution failed";
		break;
	case RDMA_CM_EVENT_CONNECT_ERROR:
		what = "connect error";
		break;
	case RDMA_CM_EVENT_UNREACHABLE:
		what = "peer unreachable";
		break;
	case RDMA_CM_EVENT_REJECTED:
		what = "rejected";
		break;
	default:
		what = rdma_event_str(event.event);
		break;
	}
	// Negative: an errno; positive (REJECTED): the IB reject reason, 8 or
	// 28 when nobody listens on that port.
	const int status = event.status;
	if (status < 0)
		return what + ": " + std::system_category().message(-status);
	return what + " (status " + std::to_string(status) + ")";
}

std::string address_text(const sockaddr* address)
{
	char text[INET6_ADDRSTRLEN] = {};
	if (address && address->sa_family == AF_INET) {
		const auto* in = reinterpret_cast<const sockaddr_in*>(address);
		if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)))
			return std::string(text) + ":" + std::to_string(ntohs(in->sin_port));
	} else if (address && address->sa_family == AF_INET6) {
		const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
		if (inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text)))
			return "[" + std::string(text) + "]:" + std::to_string(ntohs(in6->sin6_port));
	}
	return "unknown peer";
}

} // namespace hpsd::replication::rdma
