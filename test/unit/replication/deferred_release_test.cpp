// SPDX-License-Identifier: GPL-2.0-only
// release_when(): what the RDMA transport's retire() builds on to keep a
// broken connection's id until its port is up again.
#include "replication/deferred_release.hpp"

#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>

using hpsd::replication::release_when;
using namespace std::chrono_literals;

TEST_CASE("release_when: ready at once: released from the executor, not inside the call",
	  "[replication][rdma]")
{
	boost::asio::io_context io;
	int released = 0;
	release_when(io.get_executor(), [] { return true; }, [&] { released++; }, 10ms);
	CHECK(released == 0);
	io.run();
	CHECK(released == 1);
}

TEST_CASE("release_when: waits while not ready, asking every interval, then releases once",
	  "[replication][rdma]")
{
	boost::asio::io_context io;
	int asked = 0;
	int released = 0;
	bool port_up = false;
	release_when(
		io.get_executor(),
		[&] {
			asked++;
			return port_up;
		},
		[&] { released++; }, 5ms);
	io.run_for(60ms);
	CHECK(released == 0);
	CHECK(asked >= 3); // at once, then every 5 ms
	port_up = true;
	io.run();	// returns once nothing waits any more
	CHECK(released == 1);
}

TEST_CASE("release_when: what it holds goes with it, once released", "[replication][rdma]")
{
	boost::asio::io_context io;
	auto held = std::make_shared<int>(7);
	std::weak_ptr<int> watch = held;
	bool ready = false;
	release_when(io.get_executor(), [&] { return ready; }, [held = std::move(held)] {}, 5ms);
	io.run_for(20ms);
	CHECK_FALSE(watch.expired()); // kept while not ready, by nobody but the wait
	ready = true;
	io.run();
	CHECK(watch.expired());
}

TEST_CASE("release_when: an io_context destroyed first drops it without releasing",
	  "[replication][rdma]")
{
	auto held = std::make_shared<int>(7);
	std::weak_ptr<int> watch = held;
	int released = 0;
	{
		boost::asio::io_context io;
		release_when(
			io.get_executor(), [] { return false; },
			[&released, held = std::move(held)] { released++; }, 5ms);
		io.run_for(12ms);
	}
	CHECK(released == 0);
	CHECK(watch.expired());
}
