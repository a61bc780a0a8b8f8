// SPDX-License-Identifier: GPL-2.0-only
// Manager's choice of transport (replication/transport.hpp): it listens and
// dials with the transport it is given, and a transport that cannot start
// is reported naming it.  Fake listeners and dialers stand in for the real
// ones; the real makers are checked where the host allows (TCP on
// 127.0.0.1; RDMA only that a node without a device says so).
#include "replication/manager.hpp"
#include "replication/transport.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <infiniband/verbs.h>
#include <sys/stat.h>

using namespace hpsd;
using namespace hpsd::replication;
using Catch::Matchers::Contains;

namespace {

struct Calls {
	std::vector<std::string> listened;	  // addresses
	std::vector<std::string> dialled;	  // "node@address"
	std::vector<std::string> started;	  // dialers started, by node
	std::string listen_error;		  // non-empty: listen() fails with it
	std::string unusable;			  // non-empty: usable() fails with it
};

class FakeListener final : public Listener {
public:
	explicit FakeListener(Calls& c) : calls_(c) {}
	hps::Result<void, std::string> listen(const ListenAddress& address) override
	{
		calls_.listened.push_back(to_string(address));
		if (!calls_.listen_error.empty())
			return hps::fail(calls_.listen_error);
		return {};
	}
	std::uint16_t port() const noexcept override { return 7790; }
	void stop() override {}

private:
	Calls& calls_;
};

class FakeDialer final : public Dialer {
public:
	FakeDialer(Calls& c, std::string node) : calls_(c), node_(std::move(node)) {}
	void start() override { calls_.started.push_back(node_); }
	void stop() override {}

private:
	Calls& calls_;
	std::string node_;
};

TransportMaker fake(Calls& calls, std::string name)
{
	TransportMaker m;
	m.name = std::move(name);
	m.usable = [&calls]() -> hps::Result<void, std::string> {
		if (!calls.unusable.empty())
			return hps::fail(calls.unusable);
		return {};
	};
	m.listener = [&calls](boost::asio::io_context&, const LinkSettings&, OnLink) {
		return std::make_unique<FakeListener>(calls);
	};
	m.dialer = [&calls](boost::asio::io_context&, const LinkSettings&, const std::string& node,
			    const ListenAddress& address, OnLink) {
		calls.dialled.push_back(node + "@" + to_string(address));
		return std::make_unique<FakeDialer>(calls, node);
	};
	return m;
}

// stor-1 with peers stor-0 (sorts first: it dials stor-1) and stor-2
// (stor-1 dials it).
struct Node {
	hps::test::TempDir dir;
	Config config;
	boost::asio::io_context io;

	explicit Node(Transport transport = Transport::tcp)
	{
		const std::string secret = dir / "cluster.secret";
		hps::test::write_file(secret, "0123456789abcdef0123456789abcdef");
		REQUIRE(::chmod(secret.c_str(), 0600) == 0);
		config.node_name = "stor-1";
		config.replication.transport = transport;
		config.replication.cluster_id = ClusterUuid{1, 2, 3};
		config.replication.secret_file = secret;
		config.replication.peers = {{"stor-0", {"10.0.0.1", 7790}},
					    {"stor-2", {"10.0.0.3", 7790}}};
	}

	std::unique_ptr<Manager> start(std::optional<TransportMaker> transport)
	{
		auto m = Manager::start(io, config, ManagerHooks{}, LogFn{}, std::move(transport));
		REQUIRE(m);
		return std::move(m).value();
	}
};

std::string last_error(const Manager& m)
{
	const auto peers = m.peers();
	REQUIRE(peers.size() == 2);
	CHECK(peers[0].last_error == peers[1].last_error);
	return peers[0].last_error;
}

} // namespace

TEST_CASE("manager transport: listens on replication.listen and dials the peers that sort after it",
	  "[replication][manager]")
{
	Node node;
	Calls calls;
	auto manager = node.start(fake(calls, "rdma"));
	CHECK(calls.listened == std::vector<std::string>{"0.0.0.0:7790"});
	CHECK(calls.dialled == std::vector<std::string>{"stor-2@10.0.0.3:7790"});
	CHECK(calls.started == std::vector<std::string>{"stor-2"});
	CHECK(last_error(*manager).empty());
}

TEST_CASE("manager transport: a listen failure names the transport and the address",
	  "[replication][manager]")
{
	Node node;
	Calls calls;
	calls.listen_error = "rdma_bind_addr: No such device";
	auto manager = node.start(fake(calls, "rdma"));
	CHECK(calls.dialled.empty());
	CHECK(last_error(*manager) == "replication.transport rdma, replication.listen 0.0.0.0:7790: "
				      "rdma_bind_addr: No such device");
}

TEST_CASE("manager transport: a transport this node cannot use is reported before listening",
	  "[replication][manager]")
{
	Node node;
	Calls calls;
	calls.unusable = "no RDMA device on this node";
	auto manager = node.start(fake(calls, "rdma"));
	CHECK(calls.listened.empty());
	CHECK(calls.dialled.empty());
	CHECK(last_error(*manager) == "replication.transport rdma: no RDMA device on this node");
}

TEST_CASE("manager transport: the config's transport picks the maker", "[replication][manager]")
{
	CHECK(transport_maker(Transport::tcp).name == "tcp");
	CHECK(transport_maker(Transport::rdma).name == "rdma");
}

TEST_CASE("manager transport: the TCP maker's listener listens", "[replication][manager]")
{
	boost::asio::io_context io;
	LinkSettings settings;
	auto listener = transport_maker(Transport::tcp).listener(io, settings, [](auto) {});
	REQUIRE(listener->listen({"127.0.0.1", 0}));
	CHECK(listener->port() != 0);
	listener->stop();
}

TEST_CASE("manager transport: rdma on a node without an RDMA device says so",
	  "[replication][manager]")
{
	int count = 0;
	if (ibv_device** list = ibv_get_device_list(&count)) {
		ibv_free_device_list(list);
		if (count > 0) {
			WARN("this host has RDMA devices: nothing to check");
			return;
		}
	}
	Node node(Transport::rdma);
	auto manager = node.start(std::nullopt); // the config's: rdma
	CHECK_THAT(last_error(*manager),
		   Contains("replication.transport rdma: no RDMA device on this node"));
	CHECK(manager->peers()[0].connected == false);
}
