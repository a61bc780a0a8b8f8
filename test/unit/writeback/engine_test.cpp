// SPDX-License-Identifier: GPL-2.0-only
// The writeback engine against fake seams and a fake clock: order as the
// kernel gives it, coalescing, done only after the image's flush, failures
// keep blocks dirty and back off, the rate limit, drains, stop.
#include "writeback/engine.hpp"
#include "writeback/status_json.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <set>

using namespace hpsd::writeback;
using namespace std::chrono_literals;

namespace {

constexpr std::uint32_t blk = 4096;
const TimePoint t0{};

// The kernel's side: dirty blocks in the order WB_TAKE hands them out,
// blocks under writeback, and the sequence check.
struct FakeKernel final : KernelWriteback {
	struct Block {
		TakenBlock taken;
		bool dirty = true;
		bool under_wb = false;
		bool written_since = false;
	};
	std::vector<Block> blocks; // in "oldest first" order
	std::uint64_t total = 100000;
	std::uint64_t extra_dirty = 0; // dirty blocks the fake never hands out
	std::vector<std::vector<BlockResult>> dones;
	unsigned takes = 0; // takes that asked for blocks
	unsigned polls = 0; // takes that asked for the counts only (max 0)
	TakeRequest last{};
	std::chrono::milliseconds age{0}; // how long the blocks taken have been dirty
	int take_error = 0;

	void add(std::uint32_t volume, std::uint64_t vblock, std::uint64_t cache_block)
	{
		blocks.push_back({{blocks.size(), cache_block * blk, vblock * blk, volume, blk}});
	}
	std::uint64_t dirty() const
	{
		std::uint64_t n = extra_dirty;
		for (const auto& b : blocks)
			n += b.dirty;
		return n;
	}
	hps::Result<TakeResult, int> take(std::uint32_t, const TakeRequest& request) override
	{
		std::uint32_t max = request.max;
		last = request;
		++(max ? takes : polls);
		if (take_error)
			return hps::fail(take_error);
		TakeResult r;
		r.cache = {259, 3};
		r.age = age;
		if (age < request.min_age)
			max = 0; // nothing old enough
		for (auto& b : blocks) {
			if (r.blocks.size() >= max)
				break;
			if (b.dirty && !b.under_wb) {
				b.under_wb = true;
				b.written_since = false;
				r.blocks.push_back(b.taken);
			}
		}
		r.dirty = dirty();
		r.total = total;
		return r;
	}
	hps::Result<DoneResult, int> done(std::uint32_t, std::span<const BlockResult> results) override
	{
		dones.emplace_back(results.begin(), results.end());
		DoneResult d;
		for (const auto& res : results) {
			Block& b = blocks.at(res.block);
			REQUIRE(b.under_wb);
			b.under_wb = false;
			if (res.error == 0 && !b.written_since) {
				b.dirty = false;
				++d.cleaned;
				d.cleaned_each.push_back(true);
			} else {
				++d.kept;
				d.cleaned_each.push_back(false);
			}
		}
		return d;
	}
	void rewrite(std::uint64_t block)
	{
		blocks.at(block).dirty = true;
		blocks.at(block).written_since = true;
	}
	std::size_t under_wb() const
	{
		std::size_t n = 0;
		for (const auto& b : blocks)
			n += b.under_wb;
		return n;
	}
};

// The cache device's byte at `offset` is a function of it, so a write's
// data says where it was read from.
std::byte cache_byte(std::uint64_t offset)
{
	return static_cast<std::byte>((offset / blk) * 7 + 1);
}

struct FakeReader final : CacheReader {
	struct Read {
		CacheDevice device;
		std::uint64_t offset;
		std::span<std::byte> into;
		IoCallback done;
	};
	std::deque<Read> reads;
	std::vector<std::uint64_t> offsets; // every read, in issue order

	void read(CacheDevice device, std::uint64_t offset, std::span<std::byte> into,
		  IoCallback done) override
	{
		offsets.push_back(offset);
		reads.push_back({device, offset, into, std::move(done)});
	}
	std::size_t complete_all(int result = 0)
	{
		std::size_t n = 0;
		while (!reads.empty()) {
			Read r = std::move(reads.front());
			reads.pop_front();
			for (std::size_t i = 0; i < r.into.size(); i += blk)
				std::memset(r.into.data() + i, static_cast<int>(cache_byte(r.offset + i)),
					    std::min<std::size_t>(blk, r.into.size() - i));
			r.done(result);
			++n;
		}
		return n;
	}
};

struct FakeWriter final : BackendWriter {
	struct Write {
		std::string image;
		std::uint64_t offset;
		std::vector<std::byte> data;
		IoCallback done;
	};
	struct Flush {
		std::string image;
		IoCallback done;
	};
	std::deque<Write> writes;
	std::deque<Flush> flushes;
	std::vector<Write> history; // completed writes (callbacks moved out)
	std::vector<std::string> flushed;

	void write(const std::string& image, std::uint64_t offset, std::span<const std::byte> data,
		   IoCallback done) override
	{
		writes.push_back({image, offset, {data.begin(), data.end()}, std::move(done)});
	}
	void flush(const std::string& image, IoCallback done) override
	{
		flushes.push_back({image, std::move(done)});
	}
	std::size_t complete_writes(int result = 0)
	{
		std::size_t n = 0;
		while (!writes.empty()) {
			Write w = std::move(writes.front());
			writes.pop_front();
			auto done = std::move(w.done);
			history.push_back(std::move(w));
			done(result);
			++n;
		}
		return n;
	}
	std::size_t complete_flushes(int result = 0)
	{
		std::size_t n = 0;
		while (!flushes.empty()) {
			Flush f = std::move(flushes.front());
			flushes.pop_front();
			flushed.push_back(f.image);
			f.done(result);
			++n;
		}
		return n;
	}
};

// Replication's side: a stamp per volume, taken when asked; what was cleaned.
struct FakeCleaner final : ReplicaCleaner {
	std::map<std::uint32_t, CleanStamp> stamps; // volumes with a peer
	std::vector<std::uint32_t> captures;	    // volumes asked for, in order
	struct Cleaned {
		std::uint32_t volume;
		CleanStamp stamp;
		std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
	};
	std::vector<Cleaned> cleaned_list;

	std::optional<CleanStamp> capture(std::uint32_t volume) override
	{
		captures.push_back(volume);
		auto it = stamps.find(volume);
		if (it == stamps.end())
			return std::nullopt;
		return it->second;
	}
	void cleaned(std::uint32_t volume, CleanStamp stamp,
		     std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges) override
	{
		cleaned_list.push_back({volume, stamp, std::move(ranges)});
	}
};

struct Rig {
	FakeKernel kernel;
	FakeReader reader;
	FakeWriter writer;
	std::vector<std::uint32_t> pools{0};
	std::unique_ptr<Engine> engine;

	explicit Rig(EngineConfig config = {}, ReplicaCleaner* cleaner = nullptr)
	{
		auto made = Engine::create(
			config, {kernel, reader, writer, cleaner}, [this] { return pools; },
			[](std::uint32_t volume) -> std::optional<std::string> {
				if (volume == 99)
					return std::nullopt;
				return "img" + std::to_string(volume);
			},
			[](hpsd::LogLevel, std::string_view) {}, [] {});
		REQUIRE(made.ok());
		engine = std::move(made).value();
	}
	// Between the watermarks (half dirty): written back at once, at the
	// configured rate.
	void active() { kernel.total = 2 * kernel.blocks.size(); }

	// Runs every fake operation to completion, stepping the engine in
	// between, until nothing is left in flight.
	void settle(TimePoint now)
	{
		for (int i = 0; i < 1000; i++) {
			engine->step(now);
			std::size_t n = reader.complete_all();
			engine->step(now);
			n += writer.complete_writes();
			engine->step(now);
			n += writer.complete_flushes();
			engine->step(now);
			if (n == 0)
				return;
		}
		FAIL("the engine never settled");
	}
};

std::vector<BlockResult> all_done(const FakeKernel& kernel)
{
	std::vector<BlockResult> out;
	for (const auto& batch : kernel.dones)
		out.insert(out.end(), batch.begin(), batch.end());
	return out;
}

} // namespace

TEST_CASE("engine: blocks are written back in the kernel's order, oldest first",
	  "[writeback][engine]")
{
	EngineConfig config;
	config.planner.max_inflight = 1; // one io at a time shows the order
	Rig rig(config);
	rig.kernel.add(1, 100, 7);
	rig.kernel.add(1, 10, 3);
	rig.kernel.add(2, 50, 9);
	rig.kernel.add(1, 70, 1);
	rig.active();

	rig.settle(t0);
	REQUIRE(rig.writer.history.size() == 4);
	CHECK(rig.writer.history[0].offset == 100 * blk);
	CHECK(rig.writer.history[1].offset == 10 * blk);
	CHECK(rig.writer.history[2].image == "img2");
	CHECK(rig.writer.history[3].offset == 70 * blk);
	CHECK(rig.reader.offsets == std::vector<std::uint64_t>{7 * blk, 3 * blk, 9 * blk, 1 * blk});
	CHECK(rig.kernel.dirty() == 0);
}

TEST_CASE("engine: adjacent blocks of a volume become one backend write", "[writeback][engine]")
{
	Rig rig;
	// Volume blocks 4, 5, 6 sit in scattered cache blocks (different sets).
	rig.kernel.add(1, 5, 20);
	rig.kernel.add(1, 4, 11);
	rig.kernel.add(1, 6, 2);
	rig.active();

	rig.engine->step(t0);
	CHECK(rig.reader.reads.size() == 3);
	rig.reader.complete_all();
	rig.engine->step(t0);
	REQUIRE(rig.writer.writes.size() == 1);
	const auto& w = rig.writer.writes.front();
	CHECK(w.image == "img1");
	CHECK(w.offset == 4 * blk);
	REQUIRE(w.data.size() == 3 * blk);
	CHECK(w.data[0] == cache_byte(11 * blk));
	CHECK(w.data[blk] == cache_byte(20 * blk));
	CHECK(w.data[2 * blk + 5] == cache_byte(2 * blk));
}

TEST_CASE("engine: a block is reported clean only after its image's flush",
	  "[writeback][engine]")
{
	Rig rig;
	rig.kernel.add(1, 0, 5);
	rig.kernel.add(2, 0, 6);
	rig.active();

	rig.engine->step(t0);
	rig.reader.complete_all();
	rig.engine->step(t0);
	REQUIRE(rig.writer.writes.size() == 2);
	rig.writer.complete_writes();
	rig.engine->step(t0);
	CHECK(rig.kernel.dones.empty());
	REQUIRE(rig.writer.flushes.size() == 2);
	std::set<std::string> images{rig.writer.flushes[0].image, rig.writer.flushes[1].image};
	CHECK(images == std::set<std::string>{"img1", "img2"});

	// img2's flush completes first: only its block is reported.
	auto first = std::move(rig.writer.flushes.front());
	auto second = std::move(rig.writer.flushes.back());
	rig.writer.flushes.clear();
	(first.image == "img2" ? first : second).done(0);
	rig.engine->step(t0);
	REQUIRE(all_done(rig.kernel) == std::vector<BlockResult>{{1, 0}});
	(first.image == "img2" ? second : first).done(0);
	rig.engine->step(t0);
	CHECK(all_done(rig.kernel) == std::vector<BlockResult>{{1, 0}, {0, 0}});
	CHECK(rig.kernel.dirty() == 0);
	const auto status = rig.engine->status();
	REQUIRE(status.pools.size() == 1);
	CHECK(status.pools[0].blocks_cleaned == 2);
	CHECK(status.bytes_written == 2 * blk);
}

TEST_CASE("engine: a failed flush keeps its blocks dirty", "[writeback][engine]")
{
	Rig rig;
	rig.kernel.add(1, 0, 5);
	rig.active();
	rig.engine->step(t0);
	rig.reader.complete_all();
	rig.engine->step(t0);
	rig.writer.complete_writes();
	rig.engine->step(t0);
	rig.writer.complete_flushes(-EIO);
	rig.engine->step(t0);
	CHECK(all_done(rig.kernel) == std::vector<BlockResult>{{0, -EIO}});
	CHECK(rig.kernel.dirty() == 1);
	CHECK(rig.kernel.under_wb() == 0);
}

TEST_CASE("engine: a block rewritten during writeback stays dirty and goes again",
	  "[writeback][engine]")
{
	EngineConfig config;
	config.poll_interval = 100ms;
	Rig rig(config);
	rig.kernel.add(1, 0, 5);
	rig.active();
	rig.engine->step(t0);
	rig.reader.complete_all();
	rig.kernel.rewrite(0); // after the read: the image gets old data
	rig.settle(t0);
	CHECK(rig.engine->status().pools.at(0).blocks_kept == 1);
	CHECK(rig.kernel.dirty() == 1);

	rig.settle(t0 + 200ms); // taken again, written again
	CHECK(rig.kernel.dirty() == 0);
	CHECK(rig.writer.history.size() == 2);
}

TEST_CASE("engine: Ceph down: blocks stay dirty, the engine backs off and resumes",
	  "[writeback][engine]")
{
	EngineConfig config;
	config.poll_interval = 100ms;
	Rig rig(config);
	for (std::uint64_t i = 0; i < 4; i++)
		rig.kernel.add(1, i * 10, i); // not adjacent: four ios
	rig.active();

	rig.engine->step(t0);
	rig.reader.complete_all();
	rig.engine->step(t0);
	REQUIRE(rig.writer.writes.size() == 4);
	rig.writer.complete_writes(-ETIMEDOUT);
	rig.engine->step(t0);
	// Handed back, still dirty, with the error; nothing flushed.
	auto results = all_done(rig.kernel);
	REQUIRE(results.size() == 4);
	for (const auto& r : results)
		CHECK(r.error == -ETIMEDOUT);
	CHECK(rig.kernel.dirty() == 4);
	CHECK(rig.kernel.under_wb() == 0);
	CHECK(rig.writer.flushes.empty());
	auto status = rig.engine->status().pools.at(0);
	CHECK(status.backing_off);
	CHECK(status.retry_in == 1000ms);
	CHECK(status.last_error == -ETIMEDOUT);

	// No block is taken before the backoff (1 s) ends; the counts are
	// still asked for (the watermarks, the throttle's lease).
	const unsigned takes = rig.kernel.takes;
	const unsigned polls = rig.kernel.polls;
	for (auto t = t0 + 100ms; t < t0 + 1s; t += 100ms) {
		auto next = rig.engine->step(t);
		REQUIRE(next);
		CHECK(*next <= t0 + 1s);
	}
	CHECK(rig.kernel.takes == takes);
	CHECK(rig.kernel.polls > polls);

	// Then one probe io; it fails again: the delay doubles.
	rig.engine->step(t0 + 1s);
	CHECK(rig.kernel.takes == takes + 1);
	rig.reader.complete_all();
	rig.engine->step(t0 + 1s);
	REQUIRE(rig.writer.writes.size() == 1);
	rig.writer.complete_writes(-ETIMEDOUT);
	rig.engine->step(t0 + 1s);
	CHECK(rig.engine->status().pools.at(0).retry_in == 2000ms);
	CHECK(rig.kernel.under_wb() == 0);

	// Ceph is back: the probe succeeds, then everything goes.
	rig.settle(t0 + 3s);
	rig.settle(t0 + 3s + 200ms);
	CHECK(rig.kernel.dirty() == 0);
	CHECK_FALSE(rig.engine->status().pools.at(0).backing_off);
}

TEST_CASE("engine: the rate limit holds over simulated time", "[writeback][engine]")
{
	EngineConfig config;
	config.planner.rate_bytes_per_s = 1 << 20; // 1 MiB/s
	config.poll_interval = 10ms;
	Rig rig(config);
	for (std::uint64_t i = 0; i < 8192; i++) // 32 MiB, one contiguous volume range
		rig.kernel.add(1, i, (i * 37) % 8192);
	rig.active();

	std::uint64_t bytes = 0;
	for (auto t = t0; t <= t0 + 10s; t += 10ms) {
		rig.settle(t);
		bytes = rig.engine->status().bytes_written;
		// Never more than the rate allows plus one bucket (1 MiB).
		const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(t - t0);
		const std::uint64_t allowed =
			(std::uint64_t{1} << 20) * static_cast<std::uint64_t>(elapsed.count()) /
				1000000 +
			(std::uint64_t{1} << 20);
		REQUIRE(bytes <= allowed);
	}
	// And it does go at about the rate: 10 s at 1 MiB/s.
	CHECK(bytes >= 9 * (std::uint64_t{1} << 20));
	CHECK(rig.kernel.dirty() < 8192);
}

TEST_CASE("engine: a drain writes back idle blocks now and says when it is done",
	  "[writeback][engine]")
{
	EngineConfig config;
	config.poll_interval = 100ms;
	Rig rig(config);
	rig.kernel.add(1, 0, 5);
	rig.kernel.add(2, 0, 6);
	// Idle: 2 dirty of 100000, below the low watermark.
	rig.settle(t0);
	CHECK(rig.writer.history.empty()); // held, waiting for idle_age

	const DrainId id = rig.engine->drain(1);
	auto progress = rig.engine->drain_progress(id);
	REQUIRE(progress);
	CHECK_FALSE(progress->done);
	rig.settle(t0 + 10ms);
	rig.settle(t0 + 100ms);
	rig.settle(t0 + 200ms);
	progress = rig.engine->drain_progress(id);
	REQUIRE(progress);
	CHECK(progress->done);
	CHECK(progress->blocks_cleaned == 1);
	CHECK(progress->blocks_held == 0);
	CHECK(rig.kernel.dirty() == 0);

	rig.engine->cancel_drain(id);
	CHECK_FALSE(rig.engine->drain_progress(id));
}

TEST_CASE("engine: a drain of all volumes ends when the kernel has nothing dirty",
	  "[writeback][engine]")
{
	Rig rig;
	rig.kernel.add(1, 0, 5);
	rig.kernel.extra_dirty = 1; // one block the kernel never hands out
	const DrainId id = rig.engine->drain(std::nullopt);
	for (int i = 0; i < 5; i++)
		rig.settle(t0 + std::chrono::milliseconds(100 * i));
	CHECK_FALSE(rig.engine->drain_progress(id)->done);
	CHECK(rig.engine->drain_progress(id)->dirty_blocks == 1);
	rig.kernel.extra_dirty = 0;
	rig.settle(t0 + 1s);
	rig.settle(t0 + 2s);
	CHECK(rig.engine->drain_progress(id)->done);
}

TEST_CASE("engine: blocks of a volume no resolver knows stay dirty", "[writeback][engine]")
{
	Rig rig;
	rig.kernel.add(99, 0, 5);
	rig.kernel.add(1, 0, 6);
	rig.active();
	rig.settle(t0);
	CHECK(rig.kernel.blocks[0].dirty);
	CHECK_FALSE(rig.kernel.blocks[1].dirty);
	CHECK(rig.kernel.under_wb() == 0);
	auto results = all_done(rig.kernel);
	CHECK(std::count(results.begin(), results.end(), BlockResult{0, -ENXIO}) == 1);
}

TEST_CASE("engine: stop finishes what is in flight and hands the rest back",
	  "[writeback][engine]")
{
	Rig rig;
	rig.kernel.add(1, 0, 5);
	rig.active();
	rig.engine->step(t0);
	REQUIRE(rig.reader.reads.size() == 1);
	rig.kernel.add(1, 10, 6); // dirty later; taken at the next take
	rig.engine->begin_stop();
	rig.engine->step(t0);
	CHECK_FALSE(rig.engine->stopped());
	rig.settle(t0);
	CHECK(rig.engine->stopped());
	CHECK_FALSE(rig.kernel.blocks[0].dirty); // written, flushed, reported
	CHECK(rig.kernel.blocks[1].dirty);
	CHECK(rig.kernel.under_wb() == 0);
}

TEST_CASE("engine: the kernel's take errors are retried", "[writeback][engine]")
{
	EngineConfig config;
	config.poll_interval = 100ms;
	Rig rig(config);
	rig.kernel.add(1, 0, 5);
	rig.active();
	rig.kernel.take_error = -ENODEV; // channel not open yet
	rig.engine->step(t0);
	CHECK(rig.reader.reads.empty());
	rig.kernel.take_error = 0;
	rig.settle(t0 + 50ms);
	CHECK(rig.kernel.dirty() == 1);
	rig.settle(t0 + 100ms);
	CHECK(rig.kernel.dirty() == 0);
}

TEST_CASE("engine: writeback.status's JSON", "[writeback][engine]")
{
	Rig rig;
	rig.kernel.add(1, 0, 5);
	rig.active();
	rig.settle(t0);
	const auto json = status_json(rig.engine->status());
	CHECK(json.at("bytes_written") == blk);
	REQUIRE(json.at("pools").size() == 1);
	const auto& pool = json.at("pools").at(0);
	CHECK(pool.at("pool_id") == 0);
	CHECK(pool.at("dirty_blocks") == 0);
	CHECK(pool.at("blocks_cleaned") == 1);
	CHECK(pool.at("pressure") == "idle"); // nothing dirty left
	CHECK(pool.at("throttle_us") == 0);
	CHECK(pool.at("backing_off") == false);
	CHECK(pool.at("last_errno") == 0);

	const DrainId id = rig.engine->drain(7);
	const auto drain = drain_json(*rig.engine->drain_progress(id));
	CHECK(drain.at("volume_id") == 7);
	CHECK(drain.at("done") == false);
}

TEST_CASE("engine: idle, blocks dirty for idle_age already go at once", "[writeback][engine]")
{
	Rig rig;
	rig.kernel.add(1, 0, 5);
	rig.kernel.add(1, 1, 6);
	rig.kernel.age = 30s; // the kernel's epochs say so
	rig.settle(t0);
	CHECK(rig.kernel.dirty() == 0);
	CHECK(rig.writer.history.size() == 1); // adjacent: one write
}

TEST_CASE("engine: idle, young blocks wait until idle_age after they became dirty",
	  "[writeback][engine]")
{
	Rig rig;
	rig.kernel.add(1, 0, 5);
	rig.kernel.age = 20s;
	rig.settle(t0);
	CHECK(rig.kernel.last.min_age == 30s); // idle_age
	CHECK(rig.kernel.under_wb() == 0);     // too young to be taken
	rig.kernel.age = 29s;
	rig.settle(t0 + 9s);
	CHECK(rig.writer.history.empty());
	rig.kernel.age = 30s;
	rig.settle(t0 + 10s);
	CHECK(rig.kernel.dirty() == 0);
}

TEST_CASE("engine: holding a full batch it polls the counts, then takes the next batch at once",
	  "[writeback][engine]")
{
	EngineConfig config;
	config.take_batch = 4;
	Rig rig(config);
	for (std::uint64_t i = 0; i < 8; i++)
		rig.kernel.add(1, i * 10, i);
	rig.active();
	rig.engine->step(t0);
	CHECK(rig.kernel.takes == 1);
	CHECK(rig.kernel.under_wb() == 4);
	rig.reader.complete_all();
	rig.engine->step(t0);
	REQUIRE(rig.writer.writes.size() == 4);

	const unsigned polls = rig.kernel.polls;
	rig.engine->step(t0 + 1s);
	CHECK(rig.kernel.takes == 1); // full: no more blocks...
	CHECK(rig.kernel.polls == polls + 1); // ...but the counts
	CHECK(rig.kernel.last.max == 0);

	// The batch is written and flushed: the next is taken in the same
	// step, not at the next poll.
	rig.writer.complete_writes();
	rig.engine->step(t0 + 1s);
	rig.writer.complete_flushes();
	rig.engine->step(t0 + 1s);
	CHECK(rig.kernel.dirty() == 4);
	CHECK(rig.kernel.takes == 2);
	CHECK(rig.kernel.under_wb() == 4);
}

TEST_CASE("engine: above the high watermark the kernel is asked to throttle writes",
	  "[writeback][engine]")
{
	Rig rig;
	for (std::uint64_t i = 0; i < 9; i++)
		rig.kernel.add(1, i * 10, i);
	rig.kernel.total = 10; // 90 % dirty: urgent
	rig.engine->step(t0);
	// The delay is asked with the counts the take before saw; the next asks it.
	rig.engine->step(t0 + 1s);
	CHECK(rig.kernel.last.throttle_us == throttle_delay_us(Pressure::urgent, 9, 10, 80));
	CHECK(rig.kernel.last.throttle_us > throttle_min_us);
	CHECK(rig.engine->status().pools.at(0).throttle_us == rig.kernel.last.throttle_us);
	CHECK(rig.kernel.last.roll == 7500ms); // idle_age / 4

	rig.settle(t0 + 2s);
	CHECK(rig.kernel.dirty() == 0);
	rig.settle(t0 + 4s);
	CHECK(rig.kernel.last.throttle_us == 0);
}

TEST_CASE("engine: blocks cleaned go to the replica cleaner with the stamp taken at WB_TAKE",
	  "[writeback][engine][clean]")
{
	FakeCleaner cleaner;
	cleaner.stamps[1] = {7, 100};
	Rig rig({}, &cleaner);
	rig.kernel.add(1, 4, 10);
	rig.kernel.add(1, 5, 11);
	rig.kernel.add(1, 9, 12);
	rig.kernel.add(2, 4, 13); // no peer: no stamp
	rig.active();

	rig.engine->step(t0);
	// Asked once per volume, right after the take.
	CHECK(std::set<std::uint32_t>(cleaner.captures.begin(), cleaner.captures.end()) ==
	      std::set<std::uint32_t>{1, 2});
	// Rewritten after the take: the kernel keeps it dirty, no CLEAN names it.
	cleaner.stamps[1] = {7, 200}; // a later capture would say more: not used
	rig.kernel.rewrite(2);
	rig.settle(t0);
	REQUIRE(cleaner.cleaned_list.size() == 1);
	CHECK(cleaner.cleaned_list[0].volume == 1);
	CHECK(cleaner.cleaned_list[0].stamp == CleanStamp{7, 100});
	// Blocks 4 and 5 joined; block 9 was rewritten.
	CHECK(cleaner.cleaned_list[0].ranges ==
	      std::vector<std::pair<std::uint64_t, std::uint64_t>>{{4 * blk, 2 * blk}});
}

TEST_CASE("engine: failed writeback sends no CLEAN", "[writeback][engine][clean]")
{
	FakeCleaner cleaner;
	cleaner.stamps[1] = {1, 5};
	Rig rig({}, &cleaner);
	rig.kernel.add(1, 4, 10);
	rig.active();
	rig.engine->step(t0);
	rig.reader.complete_all();
	rig.engine->step(t0);
	rig.writer.complete_writes(-EIO);
	rig.engine->step(t0);
	rig.writer.complete_flushes();
	rig.engine->step(t0 + 1h);
	CHECK(cleaner.cleaned_list.empty());
}
