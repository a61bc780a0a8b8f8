// SPDX-License-Identifier: GPL-2.0-only
// The replication handshake: both sides, through the codec, with chosen
// nonces; success, and every way it must fail.
#include "frames.hpp"

#include "replication/crypto.hpp"
#include "replication/handshake.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <optional>

using namespace repltest;
using Catch::Matchers::Contains;
using Role = Handshake::Role;

namespace {

// Hands out the nonces a test chose, then fails.
class FixedNonces final : public NonceSource {
public:
	explicit FixedNonces(std::deque<Nonce> nonces) : nonces_(std::move(nonces)) {}
	hps::Result<void, std::string> fill(std::span<std::uint8_t> out) override
	{
		if (nonces_.empty() || out.size() != nonce_bytes)
			return hps::fail(std::string("out of test nonces"));
		std::copy(nonces_.front().begin(), nonces_.front().end(), out.begin());
		nonces_.pop_front();
		return {};
	}

private:
	std::deque<Nonce> nonces_;
};

ClusterSecret secret(std::uint8_t fill)
{
	std::vector<std::uint8_t> bytes(32, fill);
	auto s = ClusterSecret::from_bytes(bytes);
	REQUIRE(s);
	return std::move(s).value();
}

HandshakeConfig config(const std::string& node, std::optional<std::string> expected = std::nullopt)
{
	HandshakeConfig c;
	c.cluster = cluster_of(9);
	c.node = node;
	c.expected_peer = std::move(expected);
	return c;
}

Handshake make(Role role, HandshakeConfig c, const ClusterSecret& s, NonceSource& n)
{
	auto h = Handshake::create(role, std::move(c), s, n);
	REQUIRE(h);
	return std::move(h).value();
}

// What the peer receives: the message through encode and decode, as a
// transport would carry it, framed and checked with the handshake's own
// versions and limits.
Message carry(const Message& m, const Handshake& from, const Handshake& to)
{
	const Bytes frame = encode(m, from.send_version());
	auto back = decode(frame, to.receive_limits());
	REQUIRE(back);
	return std::move(back).value();
}

Message sent(Handshake::Step step)
{
	REQUIRE(step);
	REQUIRE(step->has_value());
	return *std::move(step).value();
}

HandshakeFailure failure(Handshake::Step step)
{
	REQUIRE_FALSE(step);
	return std::move(step).error();
}

struct Pair {
	ClusterSecret si = secret(1), sa = secret(1);
	FixedNonces ni{{nonce_of(10), nonce_of(11)}};
	FixedNonces na{{nonce_of(20), nonce_of(21)}};
	Handshake init = make(Role::initiator, config("stor-1", "stor-2"), si, ni);
	Handshake acc = make(Role::acceptor, config("stor-2"), sa, na);
};

} // namespace

TEST_CASE("replication handshake: two nodes of one cluster agree", "[replication][handshake]")
{
	Pair p;
	auto none = p.acc.start();
	REQUIRE(none);
	CHECK_FALSE(none->has_value());

	const Message hello = sent(p.init.start());
	CHECK(std::get<Hello>(hello).nonce == nonce_of(10));
	CHECK(std::get<Hello>(hello).node == "stor-1");
	const Message challenge = sent(p.acc.receive(carry(hello, p.init, p.acc)));
	CHECK(std::get<Challenge>(challenge).nonce == nonce_of(20));
	CHECK(std::get<Challenge>(challenge).version == 1);
	const Message response_i = sent(p.init.receive(carry(challenge, p.acc, p.init)));
	CHECK_FALSE(p.init.established()); // not before the acceptor has proved itself
	const Message response_a = sent(p.acc.receive(carry(response_i, p.init, p.acc)));
	CHECK(p.acc.established());
	CHECK(std::get<Response>(response_a).mac != std::get<Response>(response_i).mac);
	auto last = p.init.receive(carry(response_a, p.acc, p.init));
	REQUIRE(last);
	CHECK_FALSE(last->has_value());
	CHECK(p.init.established());

	CHECK(p.init.peer().node == "stor-2");
	CHECK(p.acc.peer().node == "stor-1");
	CHECK(p.init.peer().version == 1);
	CHECK(p.acc.peer().version == 1);
	CHECK(p.init.peer().max_write_bytes == 1U << 20);
	CHECK(p.init.send_version() == 1);
	CHECK(p.acc.receive_limits().min_version == 1);
	CHECK(p.acc.receive_limits().max_version == 1);

	// Nothing more goes through a finished handshake.
	auto after = p.init.receive(Ping{1});
	CHECK_THAT(failure(std::move(after)).reason, Contains("finished handshake"));
}

TEST_CASE("replication handshake: the peer's max_write_bytes is announced", "[replication][handshake]")
{
	ClusterSecret s = secret(3);
	FixedNonces ni{{nonce_of(1)}}, na{{nonce_of(2)}};
	HandshakeConfig ci = config("a");
	ci.max_write_bytes = 128U << 10;
	HandshakeConfig ca = config("b");
	ca.max_write_bytes = 4U << 20;
	Handshake init = make(Role::initiator, ci, s, ni);
	Handshake acc = make(Role::acceptor, ca, s, na);
	(void)acc.start();
	const Message r = sent(init.receive(sent(acc.receive(sent(init.start())))));
	(void)sent(acc.receive(r));
	CHECK(acc.peer().max_write_bytes == 128U << 10);
	CHECK(init.peer().max_write_bytes == 4U << 20);
	CHECK(init.receive_limits().max_write_bytes == 128U << 10);
}

TEST_CASE("replication handshake: wrong secret", "[replication][handshake]")
{
	Pair p;
	p.sa = secret(2);
	(void)p.acc.start();
	const Message challenge = sent(p.acc.receive(sent(p.init.start())));
	const Message response_i = sent(p.init.receive(challenge));
	const HandshakeFailure f = failure(p.acc.receive(response_i));
	CHECK_THAT(f.reason, Contains("peer stor-1 failed authentication"));
	REQUIRE(f.to_send);
	CHECK(f.to_send->code == ErrorCode::auth);
	CHECK(f.to_send->text == "authentication failed");
	CHECK(p.acc.failed());
	CHECK_FALSE(p.acc.established());

	// The initiator gets the ERROR, and fails without answering it.
	const HandshakeFailure fi = failure(p.init.receive(*f.to_send));
	CHECK(fi.reason == "peer refused the handshake: auth: authentication failed");
	CHECK_FALSE(fi.to_send);
}

TEST_CASE("replication handshake: an acceptor without the secret cannot fool the initiator",
	  "[replication][handshake]")
{
	Pair p;
	(void)p.acc.start();
	const Message challenge = sent(p.acc.receive(sent(p.init.start())));
	(void)sent(p.init.receive(challenge));
	Response forged{};
	forged.mac.fill(0x55);
	const HandshakeFailure f = failure(p.init.receive(forged));
	CHECK(f.to_send->code == ErrorCode::auth);
	CHECK_FALSE(p.init.established());
}

TEST_CASE("replication handshake: replayed nonces and responses", "[replication][handshake]")
{
	SECTION("a CHALLENGE that echoes the initiator's nonce")
	{
		Pair p;
		Hello hello = std::get<Hello>(sent(p.init.start()));
		Challenge echo{1, 1U << 20, cluster_of(9), hello.nonce, "stor-2"};
		const HandshakeFailure f = failure(p.init.receive(echo));
		CHECK(f.reason == "handshake: peer stor-2 sent back this node's nonce");
		CHECK(f.to_send->code == ErrorCode::auth);
	}
	SECTION("a recorded session replayed to the acceptor")
	{
		// An eavesdropper records HELLO and RESPONSE of a good session...
		Pair p;
		(void)p.acc.start();
		const Message hello = sent(p.init.start());
		const Message response_i = sent(p.init.receive(sent(p.acc.receive(hello))));
		(void)sent(p.acc.receive(response_i));
		REQUIRE(p.acc.established());

		// ...and plays them to the acceptor again: its nonce is new, the
		// recorded MAC is not for it.
		ClusterSecret s = secret(1);
		FixedNonces fresh{{nonce_of(30)}};
		Handshake again = make(Role::acceptor, config("stor-2"), s, fresh);
		(void)again.start();
		(void)sent(again.receive(hello));
		const HandshakeFailure f = failure(again.receive(response_i));
		CHECK(f.to_send->code == ErrorCode::auth);
	}
	SECTION("the acceptor's own RESPONSE reflected back to it")
	{
		// Two handshakes of one acceptor node, interleaved: the attacker
		// cannot make it MAC the initiator's role, so nothing to reflect.
		Pair p;
		(void)p.acc.start();
		const Message challenge = sent(p.acc.receive(sent(p.init.start())));
		Response reflected{};
		reflected.mac = std::get<Challenge>(challenge).nonce; // anything the attacker has
		CHECK(failure(p.acc.receive(reflected)).to_send->code == ErrorCode::auth);
	}
	SECTION("a nonce source that repeats the peer's nonce")
	{
		ClusterSecret s = secret(1);
		FixedNonces same{{nonce_of(10)}};
		Handshake acc = make(Role::acceptor, config("stor-2"), s, same);
		(void)acc.start();
		Hello hello{1, 1, 1U << 20, cluster_of(9), nonce_of(10), "stor-1"};
		CHECK(failure(acc.receive(hello)).to_send->code == ErrorCode::internal);
	}
}

TEST_CASE("replication handshake: a man in the middle edits the HELLO", "[replication][handshake]")
{
	Pair p;
	(void)p.acc.start();
	Hello hello = std::get<Hello>(sent(p.init.start()));
	hello.max_write_bytes = 4096; // what the initiator did not say
	const Message response_i = sent(p.init.receive(sent(p.acc.receive(hello))));
	CHECK(failure(p.acc.receive(response_i)).to_send->code == ErrorCode::auth);
}

TEST_CASE("replication handshake: no common version", "[replication][handshake]")
{
	SECTION("the acceptor gets a HELLO of versions it does not speak")
	{
		Pair p;
		(void)p.acc.start();
		Hello hello{2, 3, 1U << 20, cluster_of(9), nonce_of(1), "stor-1"};
		const HandshakeFailure f = failure(p.acc.receive(hello));
		CHECK(f.reason == "handshake: peer stor-1 speaks versions 2..3, this node 1..1");
		CHECK(f.to_send->code == ErrorCode::version);
		CHECK(f.to_send->text == "no common version: the receiver speaks 1..1");
	}
	SECTION("the initiator gets a CHALLENGE choosing a version it does not speak")
	{
		Pair p;
		(void)sent(p.init.start());
		Challenge c{2, 1U << 20, cluster_of(9), nonce_of(50), "stor-2"};
		const HandshakeFailure f = failure(p.init.receive(c));
		CHECK(f.to_send->code == ErrorCode::version);
		CHECK(f.reason == "handshake: peer stor-2 chose version 2, this node speaks 1..1");
	}
	SECTION("a frame of another version does not even decode")
	{
		Pair p;
		const Bytes frame = encode(Hello{2, 2, 1U << 20, cluster_of(9), nonce_of(1), "x"}, 2);
		auto r = decode(frame, p.acc.receive_limits());
		REQUIRE_FALSE(r);
		CHECK(r.error() == "version 2 not in 1..1");
	}
}

TEST_CASE("replication handshake: cluster and node ids", "[replication][handshake]")
{
	SECTION("another cluster")
	{
		Pair p;
		(void)p.acc.start();
		Hello hello = std::get<Hello>(sent(p.init.start()));
		hello.cluster = cluster_of(10);
		const HandshakeFailure f = failure(p.acc.receive(hello));
		CHECK(f.to_send->code == ErrorCode::cluster);
		CHECK_THAT(f.reason, Contains("peer stor-1 is in cluster"));
	}
	SECTION("not the node dialled")
	{
		Pair p;
		(void)sent(p.init.start());
		Challenge c{1, 1U << 20, cluster_of(9), nonce_of(50), "stor-3"};
		const HandshakeFailure f = failure(p.init.receive(c));
		CHECK(f.reason == "handshake: peer is node stor-3, expected stor-2");
		CHECK(f.to_send->code == ErrorCode::node);
	}
	SECTION("connected to itself")
	{
		Pair p;
		(void)p.acc.start();
		Hello hello{1, 1, 1U << 20, cluster_of(9), nonce_of(1), "stor-2"};
		const HandshakeFailure f = failure(p.acc.receive(hello));
		CHECK(f.to_send->code == ErrorCode::node);
		CHECK_THAT(f.reason, Contains("connected to itself"));
	}
}

TEST_CASE("replication handshake: messages out of order", "[replication][handshake]")
{
	SECTION("data before the handshake")
	{
		Pair p;
		(void)p.acc.start();
		const HandshakeFailure f = failure(p.acc.receive(WriteAck{1, 1, 0}));
		CHECK(f.reason == "handshake: WRITE_ACK while waiting for HELLO");
		CHECK(f.to_send->code == ErrorCode::protocol);
	}
	SECTION("RESPONSE before CHALLENGE")
	{
		Pair p;
		(void)sent(p.init.start());
		CHECK(failure(p.init.receive(Response{})).reason ==
		      "handshake: RESPONSE while waiting for CHALLENGE");
	}
	SECTION("a second HELLO")
	{
		Pair p;
		(void)p.acc.start();
		const Message hello = sent(p.init.start());
		(void)sent(p.acc.receive(hello));
		CHECK(failure(p.acc.receive(hello)).reason == "handshake: HELLO while waiting for RESPONSE");
	}
	SECTION("a HELLO to the initiator")
	{
		Pair p;
		const Message hello = sent(p.init.start());
		CHECK(failure(p.init.receive(hello)).reason == "handshake: HELLO while waiting for CHALLENGE");
	}
	SECTION("a message before start()")
	{
		Pair p;
		CHECK_THAT(failure(p.acc.receive(Ping{})).reason, Contains("before start()"));
	}
	SECTION("started twice")
	{
		Pair p;
		(void)sent(p.init.start());
		CHECK_THAT(failure(p.init.start()).reason, Contains("started twice"));
	}
	SECTION("GOODBYE ends it, and nothing is sent back")
	{
		Pair p;
		(void)p.acc.start();
		const HandshakeFailure f = failure(p.acc.receive(Goodbye{}));
		CHECK_FALSE(f.to_send);
		CHECK(p.acc.failed());
		CHECK_FALSE(failure(p.acc.receive(Ping{})).to_send); // failed stays failed
	}
}

TEST_CASE("replication handshake: no nonce, no handshake", "[replication][handshake]")
{
	ClusterSecret s = secret(1);
	FixedNonces none{{}};
	Handshake init = make(Role::initiator, config("a"), s, none);
	const HandshakeFailure f = failure(init.start());
	CHECK(f.reason == "handshake: out of test nonces");
	CHECK_FALSE(f.to_send);

	Handshake acc = make(Role::acceptor, config("b"), s, none);
	(void)acc.start();
	const HandshakeFailure fa = failure(acc.receive(Hello{1, 1, 4096, cluster_of(9), nonce_of(1), "a"}));
	CHECK(fa.to_send->code == ErrorCode::internal);
}

TEST_CASE("replication handshake: configuration is checked", "[replication][handshake]")
{
	ClusterSecret s = secret(1);
	RandomNonces n;
	CHECK_FALSE(Handshake::create(Role::initiator, config(""), s, n));
	CHECK_FALSE(Handshake::create(Role::initiator, config("a b"), s, n));
	CHECK_FALSE(Handshake::create(Role::initiator, config("a", "b/c"), s, n));
	HandshakeConfig c = config("a");
	c.max_version = 2;
	CHECK_FALSE(Handshake::create(Role::initiator, c, s, n));
	c = config("a");
	c.min_version = 0;
	CHECK_FALSE(Handshake::create(Role::initiator, c, s, n));
	c = config("a");
	c.max_write_bytes = 1000;
	CHECK_FALSE(Handshake::create(Role::initiator, c, s, n));
	CHECK(Handshake::create(Role::acceptor, config("a"), s, n));
}

TEST_CASE("replication crypto: HMAC-SHA256, secrets, nonces", "[replication][crypto]")
{
	// RFC 4231, test case 2.
	const std::string key = "Jefe", data = "what do ya want for nothing?";
	auto mac = hmac_sha256(std::span(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()),
			       std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
	REQUIRE(mac);
	const Digest expected{0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
			      0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
			      0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
	CHECK(*mac == expected);

	CHECK(equal_constant_time(expected, expected));
	Digest other = expected;
	other[31] ^= 1;
	CHECK_FALSE(equal_constant_time(expected, other));
	CHECK_FALSE(equal_constant_time(std::span(expected).first(4), expected));

	std::vector<std::uint8_t> bytes(15, 7);
	auto too_short = ClusterSecret::from_bytes(bytes);
	REQUIRE_FALSE(too_short);
	CHECK(too_short.error() == "cluster secret of 15 bytes, at least 16 needed");
	bytes.resize(1025);
	CHECK_FALSE(ClusterSecret::from_bytes(bytes));
	bytes.resize(16);
	auto ok = ClusterSecret::from_bytes(bytes);
	REQUIRE(ok);
	ClusterSecret moved = std::move(ok).value();
	CHECK(moved.bytes().size() == 16);

	RandomNonces random;
	Nonce a{}, b{};
	REQUIRE(random.fill(a));
	REQUIRE(random.fill(b));
	CHECK(a != b);
}
