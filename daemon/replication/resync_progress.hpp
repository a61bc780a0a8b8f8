// SPDX-License-Identifier: GPL-2.0-only
// How far one volume's resync has got, for the status output (hpsctl, the
// Prometheus endpoint): what was planned, sent and acknowledged, and since
// when.  Plain data that the resync updates; the percentage and the rate
// are derived, never stored, so they cannot disagree with the counts.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace hpsd::replication {

struct ResyncProgress {
	using Clock = std::chrono::steady_clock;

	std::uint64_t planned_bytes = 0; // RESYNC_BEGIN's bytes_planned, grown by later marks
	std::uint64_t sent_bytes = 0;
	std::uint64_t acked_bytes = 0; // what the peer has: the progress shown
	Clock::time_point started{};

	// Acked of planned, 0..100, rounded down so that 100 means done; 100
	// when nothing is planned.
	unsigned percent() const noexcept;
	// Acked bytes a second, averaged since `started` (0 before any time
	// has passed).
	std::uint64_t bytes_per_second(Clock::time_point now) const noexcept;
};

// "resyncing 42% (420 MiB of 1.0 GiB, 95 MB/s)": sizes in powers of 1024,
// the rate in MB/s of 10^6 bytes like recovery_bandwidth_mbps.
std::string to_string(const ResyncProgress& progress, ResyncProgress::Clock::time_point now);

} // namespace hpsd::replication
