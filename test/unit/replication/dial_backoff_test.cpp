// SPDX-License-Identifier: GPL-2.0-only
// DialBackoff: how long a dialer waits before it dials again.
#include "replication/dial_backoff.hpp"

#include <catch2/catch.hpp>

using hpsd::replication::DialBackoff;
using hpsd::replication::DialOptions;
using namespace std::chrono_literals;

namespace {

const DialBackoff::Clock::time_point t0{std::chrono::seconds(1000)};

DialOptions options()
{
	DialOptions o;
	o.first_retry = 100ms;
	o.max_retry = 3000ms;
	return o;
}

} // namespace

TEST_CASE("dial backoff: failures double the delay up to max_retry", "[replication][dial]")
{
	DialBackoff b(options());
	CHECK(b.failures() == 0);
	b.failed();
	CHECK(b.failures() == 1);
	CHECK(b.delay() == 100ms);
	b.failed();
	CHECK(b.delay() == 200ms);
	b.failed();
	CHECK(b.delay() == 400ms);
	for (int i = 0; i < 40; i++)
		b.failed();
	CHECK(b.delay() == 3000ms);
	CHECK(b.failures() == 43);
}

TEST_CASE("dial backoff: a link that lived max_retry starts the delays over",
	  "[replication][dial]")
{
	DialBackoff b(options());
	for (int i = 0; i < 6; i++)
		b.failed();
	CHECK(b.delay() == 3000ms);
	b.established(t0);
	CHECK(b.failures() == 0);
	b.link_ended(t0 + 3s);
	CHECK(b.delay() == 100ms);
	CHECK(b.failures() == 0);
}

TEST_CASE("dial backoff: a link that died young counts like a failure", "[replication][dial]")
{
	DialBackoff b(options());
	b.failed();
	b.failed();
	CHECK(b.delay() == 200ms);
	b.established(t0);
	b.link_ended(t0 + 10ms);
	CHECK(b.delay() == 400ms);
	// Again and again: the delays keep growing, the peer is not dialled in
	// a tight loop.
	for (int i = 0; i < 10; i++) {
		b.established(t0 + std::chrono::seconds(i));
		b.link_ended(t0 + std::chrono::seconds(i) + 10ms);
	}
	CHECK(b.delay() == 3000ms);
}
