// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/render.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>

namespace hps::logreplay {
namespace {

std::string dump(const nlohmann::json& j)
{
	return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string pad_left(const std::string& s, std::size_t width)
{
	return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string pad_right(const std::string& s, std::size_t width)
{
	return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

nlohmann::json flag_names(std::uint64_t flags)
{
	nlohmann::json names = nlohmann::json::array();
	if (flags == 0)
		return names;
	std::string text = flags_text(flags);
	std::size_t start = 0;
	while (start <= text.size()) {
		auto bar = text.find('|', start);
		names.push_back(text.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
		if (bar == std::string::npos)
			break;
		start = bar + 1;
	}
	return names;
}

std::string summary_line(const Summary& s)
{
	return std::to_string(s.entries) + " entries: " + std::to_string(s.writes) + " writes (" +
	       std::to_string(s.write_bytes) + " bytes), " + std::to_string(s.flushes) + " flush, " +
	       std::to_string(s.fua) + " fua, " + std::to_string(s.discards) + " discard, " +
	       std::to_string(s.marks) + " mark\n";
}

} // namespace

Summary summarize(const LogIndex& log)
{
	Summary s;
	s.entries = log.entries.size();
	for (const auto& e : log.entries) {
		if (e.writes()) {
			++s.writes;
			s.write_bytes += log.target_length(e);
		}
		s.flushes += e.flush();
		s.fua += e.fua();
		s.discards += e.discard();
		s.marks += e.is_mark();
		s.metadata += (e.header.flags & flag_metadata) != 0;
	}
	return s;
}

std::string printable(std::string_view name)
{
	std::string out;
	for (char c : name) {
		auto u = static_cast<unsigned char>(c);
		if (u >= 0x20 && u < 0x7f && c != '\\') {
			out += c;
		} else {
			std::array<char, 8> buf{};
			std::snprintf(buf.data(), buf.size(), "\\x%02x", u);
			out += buf.data();
		}
	}
	return out;
}

std::string render_list(const LogIndex& log, std::string_view path, Format format)
{
	Summary s = summarize(log);
	if (format == Format::json) {
		nlohmann::json entries = nlohmann::json::array();
		for (const auto& e : log.entries) {
			nlohmann::json j = {{"index", e.index},
					    {"sector", e.header.sector},
					    {"nr_sectors", e.header.nr_sectors},
					    {"offset", log.target_offset(e)},
					    {"bytes", log.target_length(e)},
					    {"flags", flag_names(e.header.flags)},
					    {"flags_raw", e.header.flags}};
			if (e.is_mark())
				j["mark"] = e.mark;
			entries.push_back(std::move(j));
		}
		nlohmann::json out = {{"log", std::string(path)},
				      {"version", log.version},
				      {"sectorsize", log.sectorsize},
				      {"nr_entries", log.entries.size()},
				      {"used_bytes", log.used_bytes},
				      {"entries", std::move(entries)},
				      {"summary",
				       {{"writes", s.writes},
					{"write_bytes", s.write_bytes},
					{"flushes", s.flushes},
					{"fua", s.fua},
					{"discards", s.discards},
					{"marks", s.marks},
					{"metadata", s.metadata}}}};
		return dump(out);
	}
	std::string text = "log " + std::string(path) + ": version " + std::to_string(log.version) +
			   ", sectorsize " + std::to_string(log.sectorsize) + ", " +
			   std::to_string(log.entries.size()) + " entries, " + std::to_string(log.used_bytes) +
			   " bytes used\n";
	text += pad_left("ENTRY", 8) + pad_left("SECTOR", 14) + pad_left("SECTORS", 10) + pad_left("BYTES", 12) +
		"  " + pad_right("FLAGS", 14) + "MARK\n";
	for (const auto& e : log.entries) {
		std::string line = pad_left(std::to_string(e.index), 8) + pad_left(std::to_string(e.header.sector), 14) +
				   pad_left(std::to_string(e.header.nr_sectors), 10) +
				   pad_left(std::to_string(log.target_length(e)), 12) + "  " +
				   pad_right(flags_text(e.header.flags), 14) + printable(e.mark);
		while (!line.empty() && line.back() == ' ')
			line.pop_back();
		text += line + "\n";
	}
	return text + "summary: " + summary_line(s);
}

std::string render_points(const LogIndex& log, const std::vector<ReplayPoint>& points, unsigned between,
			  std::string_view path, Format format)
{
	if (format == Format::json) {
		nlohmann::json list = nlohmann::json::array();
		for (const auto& p : points) {
			nlohmann::json j = {{"entry", p.entry}, {"kind", p.kind}};
			if (p.kind == "mark")
				j["name"] = p.name;
			list.push_back(std::move(j));
		}
		nlohmann::json out = {{"log", std::string(path)},
				      {"nr_entries", log.entries.size()},
				      {"between", between},
				      {"points", std::move(list)}};
		return dump(out);
	}
	std::string text = pad_left("ENTRY", 8) + "  " + pad_right("KIND", 10) + "NAME\n";
	for (const auto& p : points) {
		std::string line = pad_left(std::to_string(p.entry), 8) + "  " + pad_right(p.kind, 10) + printable(p.name);
		while (!line.empty() && line.back() == ' ')
			line.pop_back();
		text += line + "\n";
	}
	return text + "summary: " + std::to_string(points.size()) + " points in " +
	       std::to_string(log.entries.size()) + " entries\n";
}

} // namespace hps::logreplay
