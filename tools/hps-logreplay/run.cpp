// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/run.hpp"

#include "hps-logreplay/byte_source.hpp"
#include "hps-logreplay/log_reader.hpp"
#include "hps-logreplay/points.hpp"
#include "hps-logreplay/render.hpp"
#include "hps-logreplay/replay.hpp"

namespace hps::logreplay {
namespace {

constexpr std::string_view prefix = "hps-logreplay: ";

struct Loaded {
	FileSource source;
	LogIndex index;
};

// Opens and reads the log; on failure prints the error and returns the exit code.
Result<Loaded, int> load(const std::string& path, std::ostream& err)
{
	auto source = FileSource::open(path);
	if (!source) {
		err << prefix << path << ": " << source.error() << '\n';
		return fail(int(exit_failure));
	}
	auto index = read_log(*source);
	if (!index) {
		err << prefix << path << ": " << index.error() << '\n';
		return fail(int(exit_failure));
	}
	return Loaded{std::move(source).value(), std::move(index).value()};
}

std::string range_text(const LogIndex& log)
{
	return log.entries.empty() ? "no entries" : "entries 0.." + std::to_string(log.entries.size() - 1);
}

} // namespace

int run_list(const ListCommand& c, std::ostream& out, std::ostream& err)
{
	auto log = load(c.log, err);
	if (!log)
		return log.error();
	out << render_list(log->index, c.log, c.format);
	return exit_ok;
}

int run_points(const PointsCommand& c, std::ostream& out, std::ostream& err)
{
	auto log = load(c.log, err);
	if (!log)
		return log.error();
	out << render_points(log->index, replay_points(log->index, c.between), c.between, c.log, c.format);
	return exit_ok;
}

int run_replay(const ReplayCommand& c, std::ostream& out, std::ostream& err)
{
	auto log = load(c.log, err);
	if (!log)
		return log.error();
	const LogIndex& index = log->index;
	std::uint64_t to = 0;
	if (c.to_mark) {
		auto found = find_mark(index, *c.to_mark);
		if (!found) {
			err << prefix << "--to-mark: no mark named \"" << printable(*c.to_mark) << "\" in " << c.log
			    << '\n';
			return exit_bad_arguments;
		}
		to = *found;
	} else {
		to = *c.to;
		if (to >= index.entries.size()) {
			err << prefix << "--to " << to << ": " << c.log << " has " << range_text(index) << '\n';
			return exit_bad_arguments;
		}
	}
	std::uint64_t from = c.from.value_or(0);
	if (from > to) {
		err << prefix << "--from " << from << " is after the last entry to apply (" << to << ")\n";
		return exit_bad_arguments;
	}

	auto target = ReplayTarget::open(c.dev, !c.verify);
	if (!target) {
		err << prefix << c.dev << ": " << target.error() << '\n';
		return exit_failure;
	}
	if (c.verify) {
		auto report = verify(log->source, index, *target, to);
		if (!report) {
			err << prefix << c.dev << ": " << report.error() << '\n';
			return exit_failure;
		}
		if (report->mismatch_entry) {
			const LogEntry& e = index.entries[*report->mismatch_entry];
			err << prefix << c.dev << " differs from entries 0.." << to << " of " << c.log << ": entry "
			    << e.index << " (sector " << e.header.sector << ", " << flags_text(e.header.flags)
			    << ") at byte " << report->mismatch_offset << '\n';
			return exit_mismatch;
		}
		out << "verified entries 0.." << to << " of " << c.log << " against " << c.dev << ": "
		    << report->bytes_compared << " bytes match\n";
		return exit_ok;
	}
	ReplayOptions options{from, to, c.from_start};
	auto stats = replay(log->source, index, *target, options);
	if (!stats) {
		err << prefix << c.dev << ": " << stats.error() << '\n';
		return exit_failure;
	}
	out << "replayed entries " << from << ".." << to << " of " << c.log << " onto " << c.dev << ": "
	    << stats->writes << " writes (" << stats->bytes_written << " bytes), " << stats->discards
	    << " discards (" << stats->bytes_zeroed << " bytes zeroed)";
	if (c.from_start)
		out << ", " << stats->bytes_prezeroed << " bytes zeroed first";
	out << '\n';
	return exit_ok;
}

} // namespace hps::logreplay
