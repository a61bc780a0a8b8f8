// SPDX-License-Identifier: GPL-2.0-only
#include "replication/transport.hpp"

#include "replication/rdma_dialer.hpp"
#include "replication/rdma_listener.hpp"
#include "replication/tcp_dialer.hpp"
#include "replication/tcp_listener.hpp"

#include <infiniband/verbs.h>

#include <cerrno>
#include <system_error>

namespace hpsd::replication {
namespace {

template <class L>
class ListenerOf final : public Listener {
public:
	template <class... Args>
	explicit ListenerOf(Args&&... args) : impl_(std::forward<Args>(args)...)
	{
	}
	hps::Result<void, std::string> listen(const ListenAddress& address) override
	{
		return impl_.listen(address);
	}
	std::uint16_t port() const noexcept override { return impl_.port(); }
	void stop() override { impl_.stop(); }

private:
	L impl_;
};

template <class D>
class DialerOf final : public Dialer {
public:
	template <class... Args>
	explicit DialerOf(Args&&... args) : impl_(std::forward<Args>(args)...)
	{
	}
	void start() override { impl_.start(); }
	void stop() override { impl_.stop(); }

private:
	D impl_;
};

// Both transports' listeners and dialers take the same leading arguments
// (RDMA's options trail, defaulted).
template <class L, class D>
TransportMaker maker_of(Transport transport)
{
	TransportMaker m;
	m.name = std::string(to_string(transport));
	m.listener = [](boost::asio::io_context& io, const LinkSettings& settings, OnLink on_link) {
		return std::make_unique<ListenerOf<L>>(io, settings, std::move(on_link));
	};
	m.dialer = [](boost::asio::io_context& io, const LinkSettings& settings,
		      const std::string& peer_node, const ListenAddress& address, OnLink on_link) {
		return std::make_unique<DialerOf<D>>(io, settings, peer_node, address, DialOptions{},
						     std::move(on_link));
	};
	return m;
}

// An RDMA listener on 0.0.0.0 binds even with no device at all, and every
// dial then fails to resolve: say so once, at start.
hps::Result<void, std::string> rdma_devices_present()
{
	int count = 0;
	ibv_device** list = ibv_get_device_list(&count);
	const int error = errno;
	if (list)
		ibv_free_device_list(list);
	if (!list)
		return hps::fail("no RDMA device on this node (ibv_get_device_list: " +
				 std::system_category().message(error) + ")");
	if (count == 0)
		return hps::fail("no RDMA device on this node (add one, e.g. soft-RoCE: "
				 "rdma link add rxe0 type rxe netdev IFACE)");
	return {};
}

} // namespace

TransportMaker transport_maker(Transport transport)
{
	if (transport == Transport::rdma) {
		TransportMaker m = maker_of<RdmaListener, RdmaDialer>(transport);
		m.usable = rdma_devices_present;
		return m;
	}
	return maker_of<TcpListener, TcpDialer>(transport);
}

} // namespace hpsd::replication
