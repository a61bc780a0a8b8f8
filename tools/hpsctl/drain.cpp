// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/drain.hpp"

#include <charconv>
#include <cstdio>

namespace hpsctl {
namespace {

using Json = nlohmann::json;
using Clock = DrainSeams::Clock;

constexpr std::chrono::seconds poll_interval{1};
// The rate is over this much of the recent past: smooth, yet current.
constexpr std::chrono::seconds rate_window{5};

std::uint64_t unsigned_member(const Json& doc, const char* key, std::uint64_t fallback)
{
	if (doc.is_object() && doc.contains(key) && doc.at(key).is_number_unsigned())
		return doc.at(key).get<std::uint64_t>();
	return fallback;
}

// A volume's dirty blocks in a volume.flush / volume.show result.  Null
// (no device, or a kernel without a cache) means there is nothing the
// cache could drain.
std::uint64_t dirty_of(const Json& result)
{
	return unsigned_member(result, "dirty_blocks", 0);
}

const Json& flush_of(const Json& result)
{
	static const Json null_json;
	return result.is_object() && result.contains("flush") ? result.at("flush") : null_json;
}

bool flushing(const Json& result)
{
	return result.is_object() && result.value("flushing", false) == true;
}

std::string seconds_text(std::chrono::seconds s)
{
	return std::to_string(s.count()) + " s";
}

// Progress on stderr: a line a second, or one line redrawn on a terminal.
class Progress {
public:
	Progress(std::ostream& err, bool tty) : err_(err), tty_(tty) {}
	Progress(const Progress&) = delete;
	Progress& operator=(const Progress&) = delete;

	void show(const std::string& line)
	{
		if (tty_) {
			err_ << '\r' << line << "\x1b[K" << std::flush;
			open_ = true;
		} else {
			err_ << line << '\n' << std::flush;
		}
	}
	// Ends a redrawn line, so that what follows starts on its own.
	void finish()
	{
		if (open_)
			err_ << '\n' << std::flush;
		open_ = false;
	}

private:
	std::ostream& err_;
	bool tty_;
	bool open_ = false;
};

} // namespace

hps::Result<std::chrono::seconds, std::string> parse_drain_timeout(std::string_view value)
{
	long seconds = 0;
	auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
	if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || seconds < 1 ||
	    seconds > max_drain_timeout_s)
		return hps::fail("--timeout-drain: \"" + std::string(value) +
				 "\" is not a whole number of seconds 1.." +
				 std::to_string(max_drain_timeout_s));
	return std::chrono::seconds(seconds);
}

void DrainMeter::add(Clock::time_point at, std::uint64_t dirty_blocks)
{
	samples_.push_back({at, dirty_blocks});
	while (samples_.size() > 2 && at - samples_[1].at >= rate_window)
		samples_.pop_front();
}

std::optional<double> DrainMeter::bytes_per_s(std::uint64_t block_bytes) const
{
	if (samples_.size() < 2)
		return std::nullopt;
	const auto& first = samples_.front();
	const auto& last = samples_.back();
	const double secs = std::chrono::duration<double>(last.at - first.at).count();
	if (secs < 0.5)
		return std::nullopt;
	// New writes may raise the count: the drain then cleaned no less
	// than nothing.
	const std::uint64_t cleaned = first.dirty > last.dirty ? first.dirty - last.dirty : 0;
	return static_cast<double>(cleaned) * static_cast<double>(block_bytes) / secs;
}

std::string drain_progress_line(std::string_view name, std::uint64_t dirty_blocks,
				std::optional<double> bytes_per_s)
{
	std::string line = "draining " + std::string(name) + ": " + std::to_string(dirty_blocks) +
			   (dirty_blocks == 1 ? " dirty block left" : " dirty blocks left");
	if (bytes_per_s) {
		char rate[32];
		std::snprintf(rate, sizeof rate, " (%.1f MB/s)", *bytes_per_s / 1e6);
		line += rate;
	}
	return line;
}

hps::Result<void, Failure> drain_volume(const DrainSeams& seams, const DrainRequest& request,
					std::ostream& err)
{
	const Json name_params{{"name", request.name}};
	const auto started = seams.now();
	Progress progress(err, request.tty);
	DrainMeter meter;
	unsigned backing_off = 0;
	bool shown = false;

	auto result = seams.call("volume.flush", name_params);
	if (!result)
		return hps::fail(result.error());
	for (;;) {
		const std::uint64_t dirty = dirty_of(*result);
		const auto now = seams.now();
		const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(now - started);
		if (dirty == 0) {
			progress.finish();
			// Quiet when there was nothing to drain: a delete's only
			// stderr line is then its error, if any.
			if (shown)
				err << "drained " << request.name << " in " << seconds_text(elapsed)
				    << '\n';
			return {};
		}
		shown = true;
		meter.add(now, dirty);
		progress.show(drain_progress_line(
			request.name, dirty, meter.bytes_per_s(unsigned_member(*result, "block_bytes", 4096))));

		const Json& flush = flush_of(*result);
		backing_off = flush.is_object() && flush.value("backing_off", false) == true
				      ? backing_off + 1
				      : 0;
		if (backing_off >= backoff_polls) {
			progress.finish();
			std::string why = flush.contains("last_error") && flush.at("last_error").is_string()
						  ? " last error: " + flush.at("last_error").get<std::string>()
						  : "";
			return hps::fail(Failure{
				exit_failure,
				request.command + ": writeback of volume \"" + request.name +
					"\" is backing off (Ceph unreachable?" + why + "); " +
					std::to_string(dirty) + " dirty blocks not written back" +
					request.give_up_note});
		}
		if (elapsed >= request.timeout) {
			progress.finish();
			return hps::fail(Failure{
				exit_failure,
				request.command + ": volume \"" + request.name + "\" still has " +
					std::to_string(dirty) + " dirty blocks after " +
					seconds_text(request.timeout) + " of draining (--timeout-drain)" +
					request.give_up_note});
		}

		seams.sleep(poll_interval);
		result = seams.call("volume.show", name_params);
		if (!result) {
			progress.finish();
			return hps::fail(result.error());
		}
		// The drain finished, yet blocks are dirty: written since.  Ask
		// again (the answer carries the same counts as volume.show).
		if (dirty_of(*result) > 0 && !flushing(*result)) {
			result = seams.call("volume.flush", name_params);
			if (!result) {
				progress.finish();
				return hps::fail(result.error());
			}
		}
	}
}

} // namespace hpsctl
