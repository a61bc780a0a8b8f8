// SPDX-License-Identifier: GPL-2.0-only
// The channel's per-tag state machine with a fake ring and a fake backend.
#include "channel/channel_server.hpp"
#include "channel/engine.hpp"
#include "channel/kernel_channel.hpp"

#include <catch2/catch.hpp>

#include <linux/dm-hps.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

using hpsd::channel::Engine;
using hpsd::channel::Op;
using State = Engine::TagState;

namespace {

struct Posted {
	std::uint16_t tag;
	bool commit;
	int result;
	bool operator==(const Posted&) const = default;
};

struct FakeRing final : hpsd::channel::Ring {
	std::vector<Posted> posted;
	void post_fetch(std::uint16_t tag) override { posted.push_back({tag, false, 0}); }
	void post_commit(std::uint16_t tag, int result) override
	{
		posted.push_back({tag, true, result});
	}
};

struct FakeSink final : hpsd::channel::CompletionSink {
	std::vector<std::pair<std::uint16_t, int>> done;
	void complete(std::uint16_t tag, int result) noexcept override
	{
		done.emplace_back(tag, result);
	}
};

// Records requests; reads fill the buffer with the request's tag.
struct FakeBackend final : hpsd::channel::Backend {
	std::vector<hpsd::channel::Request> requests;
	std::vector<std::size_t> sizes;
	void submit(const hpsd::channel::Request& req, std::span<std::byte> data,
		    hpsd::channel::CompletionSink&) override
	{
		requests.push_back(req);
		sizes.push_back(data.size());
		if (req.op == Op::read)
			std::memset(data.data(), req.tag, data.size());
	}
};

struct Fixture {
	static constexpr std::uint16_t nr_tags = 4;
	static constexpr std::uint32_t io_bytes = 8192;
	FakeRing ring;
	FakeSink sink;
	FakeBackend backend;
	std::vector<std::string> logs;
	std::vector<std::byte> buffers = std::vector<std::byte>(nr_tags * io_bytes);
	Engine engine{nr_tags, io_bytes, ring, backend, sink,
		      [this](hpsd::LogLevel, std::string_view line) { logs.emplace_back(line); }};

	std::span<std::byte> buffer(std::uint16_t tag)
	{
		return std::span(buffers).subspan(std::size_t{tag} * io_bytes, io_bytes);
	}
	void deliver(std::uint16_t tag, std::uint8_t op, std::uint64_t len = 4096, int res = 0)
	{
		hps_io_desc d{};
		d.op = op;
		d.tag = tag;
		d.volume_id = 1;
		d.len = len;
		engine.on_command(tag, res, d, buffer(tag));
	}
};

} // namespace

TEST_CASE("engine: start posts one fetch per tag", "[channel]")
{
	Fixture f;
	f.engine.start();
	REQUIRE(f.ring.posted.size() == Fixture::nr_tags);
	for (std::uint16_t t = 0; t < Fixture::nr_tags; t++) {
		CHECK(f.ring.posted[t] == Posted{t, false, 0});
		CHECK(f.engine.state(t) == State::posted);
	}
}

TEST_CASE("engine: a request goes to the backend and its result is committed", "[channel]")
{
	Fixture f;
	f.engine.start();
	f.ring.posted.clear();

	f.deliver(2, HPS_OP_READ, 4096);
	REQUIRE(f.backend.requests.size() == 1);
	CHECK(f.backend.requests[0].tag == 2);
	CHECK(f.backend.sizes[0] == 4096); // only the request's part of the buffer
	CHECK(f.engine.state(2) == State::backend);
	CHECK(f.engine.in_backend() == 1);
	CHECK(f.ring.posted.empty());

	f.engine.on_backend_done(2, 0);
	CHECK(f.ring.posted == std::vector<Posted>{{2, true, 0}});
	CHECK(f.engine.state(2) == State::posted);
	CHECK(f.engine.in_backend() == 0);

	f.deliver(2, HPS_OP_WRITE);
	f.engine.on_backend_done(2, -ENXIO);
	CHECK(f.ring.posted.back() == Posted{2, true, -ENXIO});
	CHECK(f.engine.counters().served == 1);
	CHECK(f.engine.counters().failed == 1);
	CHECK(f.engine.counters().protocol_errors == 0);
}

TEST_CASE("engine: flush and discard carry no data", "[channel]")
{
	Fixture f;
	f.engine.start();
	f.deliver(0, HPS_OP_FLUSH, 0);
	f.deliver(1, HPS_OP_DISCARD, std::uint64_t{1} << 30);
	REQUIRE(f.backend.sizes.size() == 2);
	CHECK(f.backend.sizes[0] == 0);
	CHECK(f.backend.sizes[1] == 0);
	CHECK(f.engine.in_backend() == 2);
}

TEST_CASE("engine: a bad descriptor is answered with EINVAL, not started", "[channel]")
{
	Fixture f;
	f.engine.start();
	f.ring.posted.clear();
	f.deliver(1, 9);
	f.deliver(3, HPS_OP_READ, Fixture::io_bytes + 1);
	CHECK(f.backend.requests.empty());
	CHECK(f.ring.posted == std::vector<Posted>{{1, true, -EINVAL}, {3, true, -EINVAL}});
	CHECK(f.engine.counters().failed == 2);
	CHECK(f.logs.size() == 2);
}

TEST_CASE("engine: events for a tag in the wrong state are ignored", "[channel]")
{
	Fixture f;
	f.engine.start();
	f.ring.posted.clear();
	f.engine.on_backend_done(0, 0); // the backend has nothing of tag 0
	f.deliver(1, HPS_OP_READ);
	f.deliver(1, HPS_OP_READ); // a second completion while the backend has it
	f.engine.on_backend_done(1, 0);
	f.engine.on_backend_done(1, 0); // twice
	f.deliver(Fixture::nr_tags, HPS_OP_READ); // no such tag
	CHECK(f.backend.requests.size() == 1);
	CHECK(f.ring.posted == std::vector<Posted>{{1, true, 0}});
	CHECK(f.engine.counters().protocol_errors == 4);
}

TEST_CASE("engine: ECANCELED or a refused command ends serving", "[channel]")
{
	Fixture f;
	f.engine.start();
	f.ring.posted.clear();
	f.deliver(0, HPS_OP_READ, 4096, -ECANCELED);
	CHECK(f.engine.state(0) == State::dead);
	CHECK(f.engine.failed());
	CHECK(f.engine.counters().protocol_errors == 0);

	Fixture g;
	g.engine.start();
	g.deliver(1, HPS_OP_READ, 4096, -EBUSY);
	CHECK(g.engine.state(1) == State::dead);
	CHECK(g.engine.failed());
	CHECK(g.engine.counters().protocol_errors == 1);
	CHECK(g.backend.requests.empty());
}

TEST_CASE("engine: while stopping, new requests are held and in-flight ones committed",
	  "[channel]")
{
	Fixture f;
	f.engine.start();
	f.ring.posted.clear();
	f.deliver(0, HPS_OP_WRITE);
	f.engine.begin_stop();
	f.deliver(1, HPS_OP_READ);
	CHECK(f.engine.state(1) == State::held);
	CHECK(f.backend.requests.size() == 1);
	CHECK(f.engine.in_backend() == 1);
	f.engine.on_backend_done(0, 0);
	CHECK(f.engine.in_backend() == 0);
	CHECK(f.ring.posted == std::vector<Posted>{{0, true, 0}});
}

TEST_CASE("engine: a request the backend gives back is held, not committed", "[channel]")
{
	Fixture f;
	f.engine.start();
	f.ring.posted.clear();
	f.deliver(0, HPS_OP_WRITE);
	f.deliver(1, HPS_OP_WRITE);
	f.engine.begin_stop();
	f.engine.on_backend_done(0, hpsd::channel::result_requeue);
	f.engine.on_backend_done(1, 0);
	CHECK(f.engine.state(0) == State::held);
	CHECK(f.engine.in_backend() == 0);
	// Only tag 1 is answered; the kernel queues tag 0's request again.
	CHECK(f.ring.posted == std::vector<Posted>{{1, true, 0}});
	CHECK(f.engine.counters().failed == 0);
}

TEST_CASE("engine: an out-of-range backend result is sent as EIO", "[channel]")
{
	Fixture f;
	f.engine.start();
	f.ring.posted.clear();
	f.deliver(0, HPS_OP_READ);
	f.engine.on_backend_done(0, 4096);
	f.deliver(0, HPS_OP_READ);
	f.engine.on_backend_done(0, -5000);
	CHECK(f.ring.posted == std::vector<Posted>{{0, true, -EIO}, {0, true, -EIO}});
}

TEST_CASE("channel: the module's layout is checked at attach", "[channel]")
{
	hpsd::ChannelInfo info;
	info.nr_tags = HPS_CHAN_TAGS;
	info.io_bytes = HPS_CHAN_IO_BYTES;
	info.map_bytes = HPS_CHAN_MAP_BYTES;
	CHECK(hpsd::check_layout(info));
	auto bad = info;
	bad.map_bytes -= 1;
	CHECK_FALSE(hpsd::check_layout(bad));
	bad = info;
	bad.nr_tags = 0;
	CHECK_FALSE(hpsd::check_layout(bad));
	bad = info;
	bad.nr_tags = 65536;
	CHECK_FALSE(hpsd::check_layout(bad));
	bad = info;
	bad.nr_tags = 4096; // descriptors would run into the buffers
	bad.map_bytes = ~std::uint64_t{0};
	CHECK_FALSE(hpsd::check_layout(bad));
}

TEST_CASE("channel server: without the module it reports why and stops cleanly", "[channel]")
{
	FakeBackend backend;
	std::vector<std::string> logs;
	hpsd::channel::ChannelServer server(
		"/nonexistent/hps-channel", backend,
		[&logs](hpsd::LogLevel, std::string_view line) { logs.emplace_back(line); });

	int arg = 0;
	errno = 0;
	CHECK(server.ioctl(HPS_IOC_ATTACH, &arg) == -1);
	CHECK(errno == ENOTCONN);

	REQUIRE(server.start());
	// start() returns after the first attempt: the snapshot already says why.
	auto s = server.snapshot();
	CHECK_FALSE(s.attached);
	CHECK(s.device == "/nonexistent/hps-channel");
	CHECK(s.error.find("is the dm_hps module loaded?") != std::string::npos);
	CHECK(server.ioctl(HPS_IOC_ATTACH, &arg) == -1);
	server.stop();
	server.stop(); // idempotent
	REQUIRE_FALSE(logs.empty());
	CHECK(logs.front().find("channel: not attached: no /nonexistent/hps-channel") == 0);
	CHECK(logs.back() == "channel: stopped");
}

TEST_CASE("engine: a REPLICATE carries its data, a REPL_FLUSH none", "[channel]")
{
	Fixture f;
	f.engine.start();
	f.deliver(0, HPS_OP_REPLICATE, 8192);
	f.deliver(1, HPS_OP_REPL_FLUSH, 0);
	REQUIRE(f.backend.sizes.size() == 2);
	// The data the peer must get: without it nothing can be replicated.
	CHECK(f.backend.sizes[0] == 8192);
	CHECK(f.backend.sizes[1] == 0);
}
