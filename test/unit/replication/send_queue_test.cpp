// SPDX-License-Identifier: GPL-2.0-only
// SendQueue: gather views without copying WRITE data, short writes that
// stop mid-frame, the limits and the room signal, dropping on close.
#include "frames.hpp"

#include "replication/send_queue.hpp"

#include <catch2/catch.hpp>

#include <numeric>

using namespace repltest;

namespace {

EncodedFrame write_frame(std::uint64_t seq, std::size_t bytes = 4096)
{
	return encode_split(Write{7, seq, 0, false, false, sample_data().first(bytes)});
}

EncodedFrame ping_frame()
{
	return encode_split(Ping{1});
}

// Everything gather() offers, as one byte string.
Bytes gathered(const SendQueue& q, std::size_t max_buffers = 64)
{
	std::vector<std::span<const std::byte>> spans;
	q.gather(spans, max_buffers);
	Bytes all;
	for (auto s : spans)
		all.insert(all.end(), s.begin(), s.end());
	return all;
}

// Records the order releases run in.
struct Releases {
	std::vector<int> ran;
	Release make(int id)
	{
		return [this, id] { ran.push_back(id); };
	}
	void run(const std::vector<Release>& list)
	{
		for (const auto& r : list)
			r();
	}
};

} // namespace

TEST_CASE("send queue: gathers heads and data in order, the data not copied", "[replication][send_queue]")
{
	SendQueue q(SendLimits{});
	q.force_push(write_frame(1), {});
	q.force_push(ping_frame(), {});

	std::vector<std::span<const std::byte>> spans;
	q.gather(spans, 64);
	REQUIRE(spans.size() == 3); // WRITE head, WRITE data, PING head (no empty buffers)
	CHECK(spans[1].data() == sample_data().data()); // a view of the caller's bytes
	Bytes expected = encode(Write{7, 1, 0, false, false, sample_data().first(4096)});
	const Bytes ping = encode(Ping{1});
	expected.insert(expected.end(), ping.begin(), ping.end());
	CHECK(gathered(q) == expected);
	CHECK(q.bytes() == expected.size());
	CHECK(q.frames() == 2);
}

TEST_CASE("send queue: a short write resumes mid-frame and releases whole frames only", "[replication][send_queue]")
{
	SendQueue q(SendLimits{});
	Releases r;
	q.force_push(write_frame(1), r.make(1));
	q.force_push(write_frame(2), r.make(2));
	const Bytes all = gathered(q);
	const std::size_t one = all.size() / 2;

	r.run(q.written(10)); // inside the first head
	CHECK(r.ran.empty());
	CHECK(q.mid_frame());
	CHECK(gathered(q) == Bytes(all.begin() + 10, all.end()));
	r.run(q.written(100)); // inside the first frame's data
	CHECK(gathered(q) == Bytes(all.begin() + 110, all.end()));
	r.run(q.written(one - 110 + 5)); // the first frame and 5 bytes of the second
	CHECK(r.ran == std::vector<int>{1});
	CHECK(q.frames() == 1);
	CHECK(gathered(q) == Bytes(all.begin() + static_cast<std::ptrdiff_t>(one) + 5, all.end()));
	r.run(q.written(one - 5));
	CHECK(r.ran == std::vector<int>{1, 2});
	CHECK(q.empty());
	CHECK(q.bytes() == 0);
	CHECK_FALSE(q.mid_frame());
}

TEST_CASE("send queue: gather stops at the buffer limit", "[replication][send_queue]")
{
	SendQueue q(SendLimits{});
	for (std::uint64_t seq = 1; seq <= 10; seq++)
		q.force_push(write_frame(seq, 512), {});
	std::vector<std::span<const std::byte>> spans;
	q.gather(spans, 5);
	CHECK(spans.size() == 5);
	const std::size_t frame = q.bytes() / 10;
	const std::size_t offered = std::accumulate(spans.begin(), spans.end(), std::size_t{0},
						    [](std::size_t n, auto s) { return n + s.size(); });
	CHECK(offered == 2 * frame + (frame - 512)); // two frames and a head
}

TEST_CASE("send queue: refuses past its frame and byte limits, then signals room at half", "[replication][send_queue]")
{
	SECTION("frames")
	{
		SendQueue q(SendLimits{4, std::size_t{1} << 30});
		for (std::uint64_t seq = 1; seq <= 4; seq++)
			REQUIRE(q.try_push(write_frame(seq), {}));
		CHECK_FALSE(q.take_room()); // nothing was refused yet
		CHECK_FALSE(q.try_push(write_frame(5), {}));
		CHECK(q.frames() == 4);
		const std::size_t frame = q.bytes() / 4;
		CHECK(q.written(frame).empty()); // no releases given
		CHECK_FALSE(q.take_room());	 // 3 left: more than half
		(void)q.written(frame);
		CHECK(q.take_room()); // 2 left
		CHECK_FALSE(q.take_room()); // once only
	}
	SECTION("bytes")
	{
		SendQueue q(SendLimits{100, 3 * 4096});
		REQUIRE(q.try_push(write_frame(1), {}));
		REQUIRE(q.try_push(write_frame(2), {}));
		// The third would pass 12 KiB: its head makes it more than 4 KiB.
		CHECK_FALSE(q.try_push(write_frame(3), {}));
		const std::size_t frame = q.bytes() / 2;
		(void)q.written(frame);
		CHECK(q.take_room());
		CHECK(q.try_push(write_frame(3), {}));
	}
	SECTION("a frame larger than the byte limit goes alone")
	{
		SendQueue q(SendLimits{100, 1024});
		CHECK(q.try_push(write_frame(1, 8192), {}));
		CHECK_FALSE(q.try_push(ping_frame(), {}));
	}
}

TEST_CASE("send queue: closing drops what has not begun, keeps what is on the wire", "[replication][send_queue]")
{
	SendQueue q(SendLimits{});
	Releases r;
	for (int i = 1; i <= 4; i++)
		q.force_push(write_frame(static_cast<std::uint64_t>(i)), r.make(i));
	const std::size_t frame = q.bytes() / 4;

	SECTION("nothing written: all dropped, released in order")
	{
		r.run(q.drop_unstarted());
		CHECK(r.ran == std::vector<int>{1, 2, 3, 4});
		CHECK(q.empty());
	}
	SECTION("mid-frame: that frame stays")
	{
		(void)q.written(3);
		r.run(q.drop_unstarted());
		CHECK(r.ran == std::vector<int>{2, 3, 4});
		CHECK(q.frames() == 1);
		CHECK(q.bytes() == frame);
	}
	SECTION("a write in flight: the frames it covers stay")
	{
		r.run(q.drop_unstarted(frame + 1)); // all of frame 1, a byte of frame 2
		CHECK(r.ran == std::vector<int>{3, 4});
		CHECK(q.frames() == 2);
		r.run(q.written(frame + 1));
		CHECK(r.ran == std::vector<int>{3, 4, 1});
	}
	SECTION("clear drops everything")
	{
		(void)q.written(3);
		r.run(q.clear());
		CHECK(r.ran == std::vector<int>{1, 2, 3, 4});
		CHECK(q.empty());
		CHECK(q.bytes() == 0);
		CHECK_FALSE(q.mid_frame());
	}
}
