// SPDX-License-Identifier: GPL-2.0-only
// The TCP transport end to end over 127.0.0.1: a listener and a dialer
// authenticate each other, then exchange every data message (WRITE data
// checked byte for byte), keep a quiet link alive, lose a silent peer,
// push back when the send queue is full, and refuse what the peer would.
#include "tcp_harness.hpp"

#include "replication/tcp_dialer.hpp"
#include "replication/tcp_listener.hpp"

#include <catch2/catch.hpp>

using namespace tcptest;
using Catch::Matchers::Contains;

namespace {

// stor-2 listens, stor-1 dials it; both ends started once connected.
struct Connected {
	asio::io_context io;
	LogLines log_listener, log_dialer;
	Owner acceptor, initiator;
	TcpListener listener;
	std::optional<TcpDialer> dialer;

	explicit Connected(std::function<void(LinkSettings&)> tweak_listener = {},
			   std::function<void(LinkSettings&)> tweak_dialer = {})
		: listener(io, tweaked(settings("stor-2", log_listener), tweak_listener),
			   acceptor.take())
	{
		REQUIRE(listener.listen({"127.0.0.1", 0}));
		dialer.emplace(io, tweaked(settings("stor-1", log_dialer), tweak_dialer), "stor-2",
			       hpsd::ListenAddress{"127.0.0.1", listener.port()}, fast_dial,
			       initiator.take());
		dialer->start();
		INFO(log_listener.all() << log_dialer.all());
		REQUIRE(run_until(io, [&] { return acceptor.link && initiator.link; }));
	}

	static LinkSettings tweaked(LinkSettings s, const std::function<void(LinkSettings&)>& tweak)
	{
		if (tweak)
			tweak(s);
		return s;
	}
};

Bytes pattern(std::size_t size, unsigned seed)
{
	Bytes b(size);
	for (std::size_t i = 0; i < size; i++)
		b[i] = static_cast<std::byte>((i * 131 + seed) >> 3);
	return b;
}

} // namespace

TEST_CASE("tcp link: the two sides authenticate each other", "[replication][tcp]")
{
	Connected c;
	CHECK(c.acceptor.link->peer().node == "stor-1");
	CHECK(c.initiator.link->peer().node == "stor-2");
	CHECK(c.acceptor.link->peer().version == newest_version);
	CHECK(c.initiator.link->peer().max_write_bytes == Limits{}.max_write_bytes);
	CHECK_THAT(c.initiator.link->name(), Contains("stor-2 (127.0.0.1:"));
	CHECK(c.acceptor.link->is_open());
	CHECK(c.log_listener.has("stor-1 (127.0.0.1:"));
	CHECK(c.log_listener.has("authenticated, protocol version 1"));
}

TEST_CASE("tcp link: every data message arrives intact, WRITE data byte for byte", "[replication][tcp]")
{
	Connected c;
	const Bytes small = pattern(4096, 1);
	const Bytes large = pattern(Limits{}.max_write_bytes, 2); // the largest the peer takes
	int released = 0;

	// Primary to secondary: writes (one as large as allowed), a flush, a
	// clean-mark; and back: their acks.
	const std::vector<Message> down = {
		Write{7, 1, 8192, true, false, small},
		Write{7, 2, 1U << 30, false, true, large},
		Discard{7, 3, 4096, 65536, false},
		Flush{7, 3},
		Clean{7, 11, {{8192, 4096, 1}, {1U << 30, 1U << 20, 2}}},
		ResyncBegin{7, 4, 0},
		ResyncEnd{7, 3, 0, 0},
	};
	const std::vector<Message> up = {
		WriteAck{7, 1, 0}, WriteAck{7, 2, 5}, WriteAck{7, 3, 0}, FlushAck{7, 3, 0}, CleanAck{7, 11, 0},
	};
	for (const Message& m : down)
		REQUIRE(c.initiator.link->send(m, [&released] { released++; }));
	for (const Message& m : up)
		REQUIRE(c.acceptor.link->send(m));
	REQUIRE(run_until(c.io, [&] {
		return c.acceptor.received.size() == down.size() &&
		       c.initiator.received.size() == up.size() && released == int(down.size());
	}));
	for (std::size_t i = 0; i < down.size(); i++) {
		INFO(describe(down[i]));
		CHECK(c.acceptor.received[i].encoded() == encode(down[i]));
	}
	CHECK(c.acceptor.received[1].data == large);
	for (std::size_t i = 0; i < up.size(); i++)
		CHECK(c.initiator.received[i].encoded() == encode(up[i]));
	CHECK_FALSE(c.acceptor.lost);
	CHECK_FALSE(c.initiator.lost);
}

TEST_CASE("tcp link: keepalive keeps a quiet link up", "[replication][tcp]")
{
	Connected c;
	run_for(c.io, 1200ms); // three peer timeouts without data
	CHECK_FALSE(c.acceptor.lost);
	CHECK_FALSE(c.initiator.lost);
	CHECK(c.acceptor.link->is_open());
	CHECK(c.acceptor.received.empty()); // PING and PONG are the link's own
}

TEST_CASE("tcp link: a peer that stops answering is lost within the timeout", "[replication][tcp]")
{
	asio::io_context io;
	LogLines log, raw_log;
	Owner owner;
	TcpListener listener(io, settings("stor-2", log), owner.take());
	REQUIRE(listener.listen({"127.0.0.1", 0}));
	RawPeer raw(io, listener.port());
	REQUIRE(raw.handshake(settings("stor-1", raw_log), "stor-2"));
	REQUIRE(run_until(io, [&] { return owner.link != nullptr; }));

	// From here the raw peer neither reads nor writes: a hung hpsd.
	const auto started = std::chrono::steady_clock::now();
	REQUIRE(run_until(io, [&] { return owner.lost.has_value(); }));
	const auto took = std::chrono::steady_clock::now() - started;
	CHECK_THAT(*owner.lost, Contains("nothing received for 400 ms: peer lost"));
	CHECK(took >= 350ms);
	CHECK(took < 2s);
	CHECK_FALSE(owner.link->is_open());
	CHECK(log.has("stor-1 (127.0.0.1:"));

	// It had been sent PINGs meanwhile, then the connection was closed.
	int pings = 0;
	while (auto m = raw.next())
		pings += std::holds_alternative<Ping>(*m) ? 1 : 0;
	CHECK(pings >= 3);
	CHECK(raw.closed());
}

TEST_CASE("tcp link: a full send queue says so, then reports room", "[replication][tcp]")
{
	Connected c({}, [](LinkSettings& s) { s.send_limits = {4, std::size_t{1} << 20}; });
	const Bytes data = pattern(4096, 3);
	std::vector<int> released;
	// Nothing runs between these sends: none of them completes yet.
	for (int i = 1; i <= 4; i++)
		REQUIRE(c.initiator.link->send(Write{7, std::uint64_t(i), 0, false, false, data},
					       [&released, i] { released.push_back(i); }));
	auto full = c.initiator.link->send(Write{7, 5, 0, false, false, data});
	REQUIRE_FALSE(full);
	CHECK(full.error().kind == SendError::Kind::queue_full);
	CHECK(to_string(full.error().kind) == "send queue full");

	REQUIRE(run_until(c.io, [&] { return c.initiator.writable == 1; }));
	REQUIRE(c.initiator.link->send(Write{7, 5, 0, false, false, data}, [&released] { released.push_back(5); }));
	REQUIRE(run_until(c.io, [&] { return c.acceptor.received.size() == 5 && released.size() == 5; }));
	CHECK(released == std::vector<int>{1, 2, 3, 4, 5});
	for (const auto& r : c.acceptor.received)
		CHECK(r.data == data);
}

TEST_CASE("tcp link: sends the peer would refuse are refused here", "[replication][tcp]")
{
	Connected c([](LinkSettings& s) { s.max_write_bytes = 64 * 1024; });
	CHECK(c.initiator.link->peer().max_write_bytes == 64 * 1024);
	const Bytes big = pattern(128 * 1024, 4);
	auto too_big = c.initiator.link->send(Write{7, 1, 0, false, false, big});
	REQUIRE_FALSE(too_big);
	CHECK(too_big.error().kind == SendError::Kind::invalid);
	CHECK_THAT(too_big.error().what, Contains("131072"));

	auto hello = c.initiator.link->send(Hello{});
	REQUIRE_FALSE(hello);
	CHECK(hello.error().kind == SendError::Kind::invalid);

	auto zero_volume = c.initiator.link->send(Flush{0, 1});
	REQUIRE_FALSE(zero_volume);
	CHECK(zero_volume.error().kind == SendError::Kind::invalid);
}

TEST_CASE("tcp link: close() says GOODBYE, the peer loses the link, later sends fail", "[replication][tcp]")
{
	Connected c;
	c.dialer->stop(); // no redialling here
	c.acceptor.link->close("test over");
	CHECK_FALSE(c.acceptor.link->is_open());
	auto after = c.acceptor.link->send(WriteAck{7, 1, 0});
	REQUIRE_FALSE(after);
	CHECK(after.error().kind == SendError::Kind::closed);
	REQUIRE(run_until(c.io, [&] { return c.initiator.lost.has_value(); }));
	CHECK(*c.initiator.lost == "the peer said GOODBYE");
	CHECK_FALSE(c.acceptor.lost); // close() is not a loss
	CHECK(c.log_listener.has("closing: test over"));
}

TEST_CASE("tcp link: dropping the last reference closes the connection", "[replication][tcp]")
{
	Connected c;
	c.dialer->stop();
	c.acceptor.link.reset();
	REQUIRE(run_until(c.io, [&] { return c.initiator.lost.has_value(); }));
	CHECK(*c.initiator.lost == "the peer closed the connection");
}
