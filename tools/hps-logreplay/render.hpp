// SPDX-License-Identifier: GPL-2.0-only
// What `list` and `points` print: an aligned table for people, JSON for
// programs.  Mark names come from whoever sent the mark message: the
// table shows bytes outside printable ASCII as \xHH, JSON replaces invalid
// UTF-8.
#pragma once

#include "hps-logreplay/cli.hpp"
#include "hps-logreplay/log_reader.hpp"
#include "hps-logreplay/points.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace hps::logreplay {

struct Summary {
	std::uint64_t entries = 0;
	std::uint64_t writes = 0;
	std::uint64_t write_bytes = 0;
	std::uint64_t flushes = 0;
	std::uint64_t fua = 0;
	std::uint64_t discards = 0;
	std::uint64_t marks = 0;
	std::uint64_t metadata = 0;
};

Summary summarize(const LogIndex& log);
std::string printable(std::string_view name);

std::string render_list(const LogIndex& log, std::string_view path, Format format);
std::string render_points(const LogIndex& log, const std::vector<ReplayPoint>& points, unsigned between,
			  std::string_view path, Format format);

} // namespace hps::logreplay
