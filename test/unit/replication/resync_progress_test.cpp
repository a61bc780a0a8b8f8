// SPDX-License-Identifier: GPL-2.0-only
// What the status output says about a resync: percent, rate, one line.
#include "replication/resync_progress.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <limits>

using hpsd::replication::ResyncProgress;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t mib = 1024 * 1024;
constexpr std::uint64_t gib = 1024 * mib;
const ResyncProgress::Clock::time_point t0{};

} // namespace

TEST_CASE("resync progress: percent is of acked bytes, rounded down", "[replication][progress]")
{
	ResyncProgress p;
	CHECK(p.percent() == 100); // nothing planned
	p.planned_bytes = 1000;
	CHECK(p.percent() == 0);
	p.sent_bytes = 1000; // sent is not done
	CHECK(p.percent() == 0);
	p.acked_bytes = 419;
	CHECK(p.percent() == 41);
	p.acked_bytes = 999;
	CHECK(p.percent() == 99); // 100 only when done
	p.acked_bytes = 1000;
	CHECK(p.percent() == 100);
	p.acked_bytes = 5000; // more than planned (writes during resync)
	CHECK(p.percent() == 100);

	// No overflow for byte counts past 2^64 / 100.
	const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
	p.planned_bytes = max;
	p.acked_bytes = max / 2;
	CHECK(p.percent() == 49);
	p.acked_bytes = max - 1;
	CHECK(p.percent() == 99);
}

TEST_CASE("resync progress: rate is acked bytes averaged since the start", "[replication][progress]")
{
	ResyncProgress p{10 * gib, 0, 0, t0 + 1s};
	CHECK(p.bytes_per_second(t0) == 0); // before the start
	CHECK(p.bytes_per_second(t0 + 1s) == 0);
	p.sent_bytes = 400'000'000;
	p.acked_bytes = 300'000'000;
	CHECK(p.bytes_per_second(t0 + 4s) == 100'000'000);
	CHECK(p.bytes_per_second(t0 + 1s + 1ms) == 300'000'000'000);
}

TEST_CASE("resync progress: the status line", "[replication][progress]")
{
	ResyncProgress p{1 * gib, 430 * mib, 420 * mib, t0};
	// 420 MiB = 440401920 bytes in 4.636 s: 94.997 MB/s.
	CHECK(to_string(p, t0 + 4636ms) == "resyncing 41% (420 MiB of 1.0 GiB, 95 MB/s)");
	p = ResyncProgress{3 * gib + 512 * mib, 0, 0, t0};
	CHECK(to_string(p, t0) == "resyncing 0% (0 B of 3.5 GiB, 0.0 MB/s)");
	p = ResyncProgress{2048, 1000, 1000, t0};
	CHECK(to_string(p, t0 + 1s) == "resyncing 48% (1000 B of 2.0 KiB, 0.0 MB/s)");
	p = ResyncProgress{20 * gib * 1024, 5 * gib * 1024, 9'500'000, t0};
	CHECK(to_string(p, t0 + 1s) == "resyncing 0% (9.1 MiB of 20 TiB, 9.5 MB/s)");
	CHECK(to_string(ResyncProgress{}, t0) == "resyncing 100% (0 B of 0 B, 0.0 MB/s)");
}
