// SPDX-License-Identifier: GPL-2.0-only
// The TCP dialer: it keeps trying with growing delays while nobody
// listens, and reconnects when the listener comes back.
#include "tcp_harness.hpp"

#include "replication/tcp_dialer.hpp"
#include "replication/tcp_listener.hpp"

#include <catch2/catch.hpp>

using namespace tcptest;
using Catch::Matchers::Contains;

TEST_CASE("tcp dialer: reconnects after the listener restarts", "[replication][tcp]")
{
	asio::io_context io;
	LogLines listen_log, dial_log;
	Owner acceptor, initiator;
	auto listener = std::make_unique<TcpListener>(io, settings("stor-2", listen_log), acceptor.take());
	REQUIRE(listener->listen({"127.0.0.1", 0}));
	const std::uint16_t port = listener->port();
	TcpDialer dialer(io, settings("stor-1", dial_log), "stor-2", hpsd::ListenAddress{"127.0.0.1", port},
			 fast_dial, initiator.take());
	dialer.start();
	INFO(listen_log.all() << dial_log.all());
	REQUIRE(run_until(io, [&] { return acceptor.link && initiator.link; }));

	// The listening hpsd goes away: its listener and its link.
	listener.reset();
	acceptor.link.reset();
	REQUIRE(run_until(io, [&] { return initiator.lost.has_value(); }));
	// Nobody listens: attempts fail, logged once, and go on.
	REQUIRE(run_until(io, [&] { return dialer.failures() >= 3; }));
	CHECK(dial_log.has("cannot connect to stor-2 at 127.0.0.1:" + std::to_string(port)));
	CHECK(dial_log.has("Connection refused"));

	listener = std::make_unique<TcpListener>(io, settings("stor-2", listen_log), acceptor.take());
	REQUIRE(listener->listen({"127.0.0.1", port}));
	REQUIRE(run_until(io, [&] { return acceptor.link && initiator.links == 2; }));
	CHECK(initiator.link->is_open());
	CHECK_FALSE(initiator.lost);
	CHECK(dialer.failures() == 0);

	// And the new link works.
	REQUIRE(initiator.link->send(Flush{3, 0}));
	REQUIRE(run_until(io, [&] { return acceptor.received.size() == 1; }));
}

TEST_CASE("tcp dialer: the retry delay doubles up to its cap", "[replication][tcp]")
{
	asio::io_context io;
	// A port nobody listens on: bind one, then let it go.
	std::uint16_t port = 0;
	{
		asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
		port = probe.local_endpoint().port();
	}
	LogLines log;
	Owner owner;
	TcpDialer dialer(io, settings("stor-1", log), "stor-2", hpsd::ListenAddress{"127.0.0.1", port},
			 DialOptions{500ms, 10ms, 40ms}, owner.take());
	dialer.start();
	REQUIRE(run_until(io, [&] { return dialer.failures() >= 5; }));
	for (const char* delay : {"retrying in 10 ms", "retrying in 20 ms", "retrying in 40 ms"})
		CHECK(log.has(delay));
	CHECK_FALSE(log.has("retrying in 80 ms"));
	dialer.stop();
	const unsigned failures = dialer.failures();
	run_for(io, 100ms);
	CHECK(dialer.failures() == failures); // stopped means stopped
}
