// SPDX-License-Identifier: GPL-2.0-only
#include "api/line_framer.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using hps::api::Frame;
using hps::api::LineFramer;

namespace {

std::vector<Frame> feed(LineFramer& framer, const std::string& bytes)
{
	return framer.feed(std::span<const char>(bytes.data(), bytes.size()));
}

// Frames as text: lines as themselves, oversize as "<oversize>".
std::vector<std::string> texts(const std::vector<Frame>& frames)
{
	std::vector<std::string> out;
	for (const auto& f : frames)
		out.push_back(f.kind == Frame::Kind::line ? f.text : "<oversize>");
	return out;
}

using Lines = std::vector<std::string>;

} // namespace

TEST_CASE("line framer: splits lines and joins lines split across reads", "[api]")
{
	LineFramer framer(100);
	CHECK(texts(feed(framer, "one\ntwo\nthr")) == Lines{"one", "two"});
	CHECK(framer.mid_line());
	CHECK(texts(feed(framer, "ee")) == Lines{});
	CHECK(texts(feed(framer, "\n")) == Lines{"three"});
	CHECK_FALSE(framer.mid_line());
}

TEST_CASE("line framer: strips CRLF and skips empty lines", "[api]")
{
	LineFramer framer(100);
	CHECK(texts(feed(framer, "a\r\n\n\r\nb\n")) == Lines{"a", "b"});
}

TEST_CASE("line framer: a line of exactly the limit is accepted", "[api]")
{
	LineFramer framer(10);
	CHECK(texts(feed(framer, std::string(10, 'x') + "\n")) == Lines{std::string(10, 'x')});
	CHECK(texts(feed(framer, std::string(10, 'y') + "\r\n")) == Lines{std::string(10, 'y')});
	CHECK(texts(feed(framer, std::string(11, 'z') + "\n")) == Lines{"<oversize>"});
}

TEST_CASE("line framer: an oversize line is reported once, early, and skipped", "[api]")
{
	LineFramer framer(10);
	// Reported as soon as it crosses the limit, before any newline...
	CHECK(texts(feed(framer, std::string(20, 'x'))) == Lines{"<oversize>"});
	CHECK(framer.mid_line());
	// ...and the rest of it is dropped without a second report.
	CHECK(texts(feed(framer, std::string(1000, 'x'))) == Lines{});
	CHECK(texts(feed(framer, "xxx\nnext\n")) == Lines{"next"});
	CHECK_FALSE(framer.mid_line());
}

TEST_CASE("line framer: oversize and good lines in one read keep their order", "[api]")
{
	LineFramer framer(5);
	CHECK(texts(feed(framer, "ok\n" + std::string(50, 'x') + "\nok2\n")) ==
	      Lines{"ok", "<oversize>", "ok2"});
}

TEST_CASE("line framer: byte-at-a-time input gives the same frames", "[api]")
{
	LineFramer framer(8);
	std::string input = "abc\r\n" + std::string(30, 'q') + "\nfine\n";
	Lines got;
	for (char c : input)
		for (auto& t : texts(feed(framer, std::string(1, c))))
			got.push_back(t);
	CHECK(got == Lines{"abc", "<oversize>", "fine"});
}
