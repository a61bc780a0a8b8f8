// SPDX-License-Identifier: GPL-2.0-only
#include "replication/resync_progress.hpp"

#include <cstdio>
#include <iterator>
#include <limits>

namespace hpsd::replication {
namespace {

// Two significant digits at least: "1.0 GiB", "9.5 MB/s", "420 MiB".
std::string number(double value, const char* unit)
{
	char buf[48];
	std::snprintf(buf, sizeof buf, value < 10 ? "%.1f %s" : "%.0f %s", value, unit);
	return buf;
}

std::string size_text(std::uint64_t bytes)
{
	constexpr const char* units[] = {"PiB", "TiB", "GiB", "MiB", "KiB"};
	constexpr unsigned shifts[] = {50, 40, 30, 20, 10};
	for (std::size_t i = 0; i < std::size(units); ++i) {
		const std::uint64_t unit = std::uint64_t{1} << shifts[i];
		if (bytes >= unit)
			return number(static_cast<double>(bytes) / static_cast<double>(unit), units[i]);
	}
	return std::to_string(bytes) + " B";
}

} // namespace

unsigned ResyncProgress::percent() const noexcept
{
	if (acked_bytes >= planned_bytes)
		return 100;
	// acked < planned from here on, so the result is < 100.
	if (acked_bytes <= std::numeric_limits<std::uint64_t>::max() / 100)
		return static_cast<unsigned>(acked_bytes * 100 / planned_bytes);
	return static_cast<unsigned>(acked_bytes / (planned_bytes / 100 + 1));
}

std::uint64_t ResyncProgress::bytes_per_second(Clock::time_point now) const noexcept
{
	if (now <= started)
		return 0;
	const double seconds = std::chrono::duration<double>(now - started).count();
	return static_cast<std::uint64_t>(static_cast<double>(acked_bytes) / seconds);
}

std::string to_string(const ResyncProgress& progress, ResyncProgress::Clock::time_point now)
{
	return "resyncing " + std::to_string(progress.percent()) + "% (" +
	       size_text(progress.acked_bytes) + " of " + size_text(progress.planned_bytes) + ", " +
	       number(static_cast<double>(progress.bytes_per_second(now)) / 1e6, "MB/s") + ")";
}

} // namespace hpsd::replication
