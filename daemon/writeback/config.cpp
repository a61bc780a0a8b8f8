// SPDX-License-Identifier: GPL-2.0-only
// validate(): collects every problem with a PlannerConfig so an operator
// fixes them in one pass.
#include "writeback/config.hpp"

#include <algorithm>
#include <cstdint>

namespace hpsd::writeback {
namespace {

std::string ms_text(std::chrono::milliseconds value)
{
	return std::to_string(value.count()) + " ms";
}

} // namespace

std::string to_string(const ConfigError& error)
{
	if (error.field.empty())
		return error.message;
	return "field \"" + error.field + "\": " + error.message;
}

hps::Result<void, std::vector<ConfigError>> validate(const PlannerConfig& config)
{
	std::vector<ConfigError> errors;
	auto add = [&](std::string field, std::string message) {
		errors.push_back({std::move(field), std::move(message)});
	};

	if (config.max_io_bytes < min_max_io_bytes || config.max_io_bytes > max_max_io_bytes)
		add("max_io_bytes", std::to_string(config.max_io_bytes) + " is out of range " +
					    std::to_string(min_max_io_bytes) + ".." +
					    std::to_string(max_max_io_bytes));
	else if (config.max_io_bytes % io_alignment_bytes != 0)
		add("max_io_bytes", std::to_string(config.max_io_bytes) +
					    " is not a multiple of " +
					    std::to_string(io_alignment_bytes));
	if (config.max_inflight < 1 || config.max_inflight > max_max_inflight)
		add("max_inflight", std::to_string(config.max_inflight) + " is out of range 1.." +
					    std::to_string(max_max_inflight));
	if (config.rate_bytes_per_s > max_rate_bytes_per_s)
		add("rate_bytes_per_s", std::to_string(config.rate_bytes_per_s) +
						" is out of range 0.." +
						std::to_string(max_rate_bytes_per_s) + " (0: unlimited)");
	if (config.burst_bytes > max_burst_bytes)
		add("burst_bytes", std::to_string(config.burst_bytes) + " is out of range 0.." +
					   std::to_string(max_burst_bytes) + " (0: default)");

	if (config.high_percent > 100)
		add("high_percent", std::to_string(config.high_percent) + " is out of range 0..100");
	if (config.low_percent >= config.high_percent)
		add("low_percent", std::to_string(config.low_percent) +
					   " is not below high_percent (" +
					   std::to_string(config.high_percent) + ")");
	else if (config.hysteresis_percent >= config.high_percent - config.low_percent)
		// Keeps the urgent state's exit above the low watermark, so
		// leaving urgent never skips the active band.
		add("hysteresis_percent", std::to_string(config.hysteresis_percent) +
						  " is not below high_percent - low_percent (" +
						  std::to_string(config.high_percent -
								 config.low_percent) +
						  ")");

	if (config.idle_age && (config.idle_age->count() < 0 || *config.idle_age > max_backoff * 24))
		add("idle_age", ms_text(*config.idle_age) + " is out of range 0.." +
					ms_text(max_backoff * 24));
	if (config.backoff_initial.count() < 1 || config.backoff_initial > max_backoff)
		add("backoff_initial", ms_text(config.backoff_initial) + " is out of range 1.." +
					       ms_text(max_backoff));
	if (config.backoff_max < config.backoff_initial || config.backoff_max > max_backoff)
		add("backoff_max", ms_text(config.backoff_max) + " is out of range " +
					   std::to_string(std::max<std::int64_t>(
						   config.backoff_initial.count(), 1)) +
					   ".." + ms_text(max_backoff) +
					   " (at least backoff_initial)");

	if (!errors.empty())
		return hps::fail(std::move(errors));
	return {};
}

std::uint64_t effective_burst_bytes(const PlannerConfig& config) noexcept
{
	if (config.burst_bytes != 0)
		return config.burst_bytes;
	return std::max<std::uint64_t>(config.rate_bytes_per_s / 10, config.max_io_bytes);
}

} // namespace hpsd::writeback
