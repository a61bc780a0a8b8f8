// SPDX-License-Identifier: GPL-2.0-only
// `hpsctl volume flush --wait` and `hpsctl volume delete` (without
// --force): ask hpsd to drain a volume's dirty blocks to Ceph (volume.flush
// returns at once), then poll volume.show once a second, printing progress
// on stderr, until nothing is dirty -- or give up with one line when the
// drain takes too long or writeback backs off (Ceph unreachable).  hpsd,
// the clock and sleeping are seams, so the loop is tested without them.
#pragma once

#include "hpsctl/exit_codes.hpp"
#include "util/result.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace hpsctl {

inline constexpr std::chrono::seconds default_drain_timeout{600};
inline constexpr long max_drain_timeout_s = 7L * 24 * 3600;
// Writeback must report backing off this many polls in a row before the
// wait gives up: one failed write that the next retry fixes is no outage.
inline constexpr unsigned backoff_polls = 3;

// --timeout-drain: whole seconds 1..max_drain_timeout_s.
hps::Result<std::chrono::seconds, std::string> parse_drain_timeout(std::string_view value);

// The drain's rate, from the dirty counts seen over the last few seconds.
class DrainMeter {
public:
	using Clock = std::chrono::steady_clock;
	void add(Clock::time_point at, std::uint64_t dirty_blocks);
	// Bytes a second cleaned; nullopt until two samples a second apart.
	std::optional<double> bytes_per_s(std::uint64_t block_bytes) const;

private:
	struct Sample {
		Clock::time_point at;
		std::uint64_t dirty = 0;
	};
	std::deque<Sample> samples_;
};

// "draining db1: 1234 dirty blocks left (5.2 MB/s)" (MB: 10^6 bytes); no
// rate part while it is unknown.
std::string drain_progress_line(std::string_view name, std::uint64_t dirty_blocks,
				std::optional<double> bytes_per_s);

// A failed step: the exit code and the line after "hpsctl: ".
struct Failure {
	ExitCode code;
	std::string message;
};

struct DrainSeams {
	using Clock = std::chrono::steady_clock;
	// One request to hpsd: its result, or the failure (unreachable,
	// or hpsd's error, already worded for the user).
	std::function<hps::Result<nlohmann::json, Failure>(const std::string& method,
							   const nlohmann::json& params)>
		call;
	std::function<Clock::time_point()> now;
	std::function<void(std::chrono::milliseconds)> sleep;
};

struct DrainRequest {
	std::string command; // "volume delete", for the error lines
	std::string name;
	std::chrono::seconds timeout = default_drain_timeout;
	bool tty = false; // stderr is a terminal: one line, updated in place
	// Appended to a give-up line, e.g. "; the volume is left in place".
	std::string give_up_note;
};

// Returns once the volume has no dirty block.  Progress goes to `err`.
hps::Result<void, Failure> drain_volume(const DrainSeams& seams, const DrainRequest& request,
					std::ostream& err);

} // namespace hpsctl
