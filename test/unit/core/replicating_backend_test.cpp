// SPDX-License-Identifier: GPL-2.0-only
// ReplicatingBackend holds what changes data until replication is up, and
// gives replicated primaries' requests back to the kernel once it is gone.
// (With a running manager it is exercised in the lab: repl-* scenarios.)
#include "core/replicating_backend.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <utility>
#include <vector>

using hpsd::ReplicatingBackend;
using hpsd::channel::Op;
using hpsd::channel::Request;

namespace {

struct Sink final : hpsd::channel::CompletionSink {
	std::vector<std::pair<std::uint16_t, int>> done;
	void complete(std::uint16_t tag, int result) noexcept override
	{
		done.emplace_back(tag, result);
	}
};

// Records what reaches RBD; completes nothing.
struct Rbd final : hpsd::channel::Backend {
	std::vector<std::uint16_t> tags;
	void submit(const Request& req, std::span<std::byte>, hpsd::channel::CompletionSink&) override
	{
		tags.push_back(req.tag);
	}
};

Request request(Op op, std::uint16_t tag, std::uint32_t volume = 1)
{
	Request r;
	r.op = op;
	r.tag = tag;
	r.volume_id = volume;
	r.len = op == Op::flush || op == Op::repl_flush ? 0 : 4096;
	return r;
}

struct Fixture {
	boost::asio::io_context io;
	Rbd rbd;
	Sink sink;
	ReplicatingBackend backend{rbd, io};

	void submit(Op op, std::uint16_t tag, std::uint32_t volume = 1)
	{
		backend.submit(request(op, tag, volume), {}, sink);
	}
};

} // namespace

TEST_CASE("replicating backend: until replication starts, only reads and flushes go on",
	  "[core][replication]")
{
	Fixture f;
	f.submit(Op::read, 0);
	f.submit(Op::flush, 1);
	f.submit(Op::write, 2);
	f.submit(Op::discard, 3);
	f.submit(Op::replicate, 4);
	f.submit(Op::repl_flush, 5);
	CHECK(f.rbd.tags == std::vector<std::uint16_t>{0, 1});
	CHECK(f.sink.done.empty());

	// Replication could not start: the writes go to RBD, and what would
	// claim a copy fails.
	f.backend.start_unreplicated();
	CHECK(f.rbd.tags == std::vector<std::uint16_t>{0, 1, 2, 3});
	CHECK(f.sink.done == std::vector<std::pair<std::uint16_t, int>>{{4, -EIO}, {5, -EIO}});
}

TEST_CASE("replicating backend: stopped before it started, what it held goes back to the kernel",
	  "[core][replication]")
{
	Fixture f;
	f.submit(Op::replicate, 4);
	f.submit(Op::write, 2);
	f.backend.stop();
	CHECK(f.rbd.tags.empty());
	CHECK(f.sink.done == std::vector<std::pair<std::uint16_t, int>>{
				     {4, hpsd::channel::result_requeue},
				     {2, hpsd::channel::result_requeue}});
}

TEST_CASE("replicating backend: once stopped, a primary's writes go back to the kernel, others "
	  "go on",
	  "[core][replication]")
{
	Fixture f;
	f.backend.set_primary(1, true);
	f.backend.start_unreplicated();
	f.backend.stop();
	f.submit(Op::replicate, 0, 1);
	f.submit(Op::write, 1, 1);
	f.submit(Op::write, 2, 9); // not a replicated primary
	f.submit(Op::read, 3, 1);
	CHECK(f.rbd.tags == std::vector<std::uint16_t>{2, 3});
	CHECK(f.sink.done == std::vector<std::pair<std::uint16_t, int>>{
				     {0, hpsd::channel::result_requeue},
				     {1, hpsd::channel::result_requeue}});
}
