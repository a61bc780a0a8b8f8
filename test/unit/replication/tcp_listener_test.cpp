// SPDX-License-Identifier: GPL-2.0-only
// The TCP listener against peers that fail: another secret, garbage, bad
// magic, hostile lengths, silence, a bad frame after the handshake.  Each
// costs that connection and one log line; the listener serves the next.
#include "tcp_harness.hpp"

#include "replication/tcp_dialer.hpp"
#include "replication/tcp_listener.hpp"

#include <catch2/catch.hpp>

using namespace tcptest;
using Catch::Matchers::Contains;

namespace {

struct Listening {
	asio::io_context io;
	LogLines log;
	Owner owner;
	TcpListener listener{io, settings("stor-2", log), owner.take()};

	Listening() { REQUIRE(listener.listen({"127.0.0.1", 0})); }

	// A good peer still gets through.
	void check_serving()
	{
		LogLines dial_log;
		Owner initiator;
		TcpDialer dialer(io, settings("stor-1", dial_log), "stor-2",
				 hpsd::ListenAddress{"127.0.0.1", listener.port()}, fast_dial,
				 initiator.take());
		dialer.start();
		INFO(log.all() << dial_log.all());
		CHECK(run_until(io, [&] { return owner.link && initiator.link; }));
	}

	// Sends `bytes` as a fresh client; the listener must hang up on it
	// and log one line containing `expected`.
	void check_dropped(const Bytes& bytes, const std::string& expected)
	{
		const std::size_t before = log.lines.size();
		RawPeer raw(io, listener.port());
		raw.send(bytes);
		INFO(log.all());
		CHECK(raw.wait_closed());
		REQUIRE(run_until(io, [&] { return log.lines.size() > before; }));
		REQUIRE(log.lines.size() == before + 1);
		CHECK_THAT(log.lines.back(), Contains(expected));
		CHECK_THAT(log.lines.back(), Contains("replication: 127.0.0.1:"));
	}
};

Bytes hello_frame()
{
	return encode(Hello{1, 1, 1U << 20, cluster_of(9), nonce_of(1), "stor-1"});
}

} // namespace

TEST_CASE("tcp listener: a peer with another secret is refused, and knows it", "[replication][tcp]")
{
	Listening l;
	LogLines dial_log;
	Owner initiator;
	TcpDialer dialer(l.io, settings("stor-1", dial_log, 2), "stor-2",
			 hpsd::ListenAddress{"127.0.0.1", l.listener.port()}, fast_dial, initiator.take());
	dialer.start();
	INFO(l.log.all() << dial_log.all());
	REQUIRE(run_until(l.io, [&] {
		return l.log.has("failed authentication") && dial_log.has("peer refused the handshake") &&
		       dialer.failures() >= 1;
	}));
	CHECK(dial_log.has("peer refused the handshake: auth: authentication failed"));
	dialer.stop();
	run_for(l.io, 100ms);
	CHECK_FALSE(l.owner.link);
	CHECK_FALSE(initiator.link);
	l.check_serving();
}

TEST_CASE("tcp listener: garbage, bad magic and hostile lengths cost only that connection", "[replication][tcp]")
{
	Listening l;
	l.check_dropped(Bytes(64, std::byte{'A'}), "bad frame: magic 0x41414141");
	l.check_dropped(with(hello_frame(), at_magic, 0x52535049, 4), "bad frame: magic 0x52535049");
	// The header claims 100000 payload bytes: refused before waiting for them.
	const Bytes hello = hello_frame();
	l.check_dropped(with(Bytes(hello.begin(), hello.begin() + header_bytes), at_length, 100000, 4),
			"bad frame: HELLO payload length 100000 not in");
	// A WRITE before authentication: no room is made for its 1 MiB.
	const Bytes write = encode(Write{1, 1, 0, false, false, sample_data()});
	l.check_dropped(Bytes(write.begin(), write.begin() + header_bytes),
			"bad frame: WRITE of 8204 payload bytes, at most 256 allowed here");
	Bytes bad_crc = hello;
	put(bad_crc, at_header_crc, get(hello, at_header_crc, 4) ^ 1, 4);
	l.check_dropped(bad_crc, "bad frame: header crc");
	l.check_dropped(encode(Ping{1}), "handshake: PING while waiting for HELLO");
	l.check_serving();
}

TEST_CASE("tcp listener: a connection that says nothing is dropped after the handshake timeout", "[replication][tcp]")
{
	Listening l;
	const auto started = std::chrono::steady_clock::now();
	RawPeer raw(l.io, l.listener.port());
	CHECK(raw.wait_closed());
	CHECK(std::chrono::steady_clock::now() - started >= 450ms);
	CHECK(l.log.has("handshake timed out after 500 ms"));
	l.check_serving();
}

TEST_CASE("tcp listener: too many connections in their handshake: the newest is turned away", "[replication][tcp]")
{
	asio::io_context io;
	LogLines log;
	Owner owner;
	TcpListener listener(io, settings("stor-2", log), owner.take(), 2);
	REQUIRE(listener.listen({"127.0.0.1", 0}));
	RawPeer first(io, listener.port()), second(io, listener.port());
	run_for(io, 50ms); // both accepted, both waiting for a HELLO
	RawPeer third(io, listener.port());
	CHECK(third.wait_closed());
	CHECK(log.has("refused a connection from 127.0.0.1: 2 connections are in their handshake already"));
	CHECK_FALSE(first.closed());
}

TEST_CASE("tcp listener: a bad frame after the handshake ends the link with an ERROR", "[replication][tcp]")
{
	Listening l;
	LogLines raw_log;
	RawPeer raw(l.io, l.listener.port());
	REQUIRE(raw.handshake(settings("stor-1", raw_log), "stor-2"));
	REQUIRE(run_until(l.io, [&] { return l.owner.link != nullptr; }));

	Bytes write = encode(Write{7, 1, 0, false, false, sample_data()});
	write[header_bytes + 100] ^= std::byte{0x80}; // the data no longer matches its crc
	raw.send(write);
	REQUIRE(run_until(l.io, [&] { return l.owner.lost.has_value(); }));
	CHECK_THAT(*l.owner.lost, Contains("bad frame: WRITE payload crc"));
	CHECK(l.owner.received.empty());
	CHECK(l.log.has("stor-1 (127.0.0.1:"));

	std::optional<Error> error;
	while (auto m = raw.next())
		if (auto* e = std::get_if<Error>(&*m))
			error = *e;
	REQUIRE(error);
	CHECK(error->code == ErrorCode::protocol);
	CHECK_THAT(error->text, Contains("WRITE payload crc"));
	CHECK(raw.closed());
	l.check_serving();
}
