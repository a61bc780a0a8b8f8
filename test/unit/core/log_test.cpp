// SPDX-License-Identifier: GPL-2.0-only
#include "core/log.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using hpsd::Logger;
using hpsd::LogLevel;

TEST_CASE("logger: filters by level and writes one line per event", "[hpsd]")
{
	std::ostringstream out;
	Logger log(out, LogLevel::warn);
	log.debug("d");
	log.info("i");
	log.warn("w");
	log.error("e");
	CHECK(out.str() == "hpsd: warn: w\nhpsd: error: e\n");
}

TEST_CASE("logger: journal style carries the syslog priority", "[hpsd]")
{
	std::ostringstream out;
	Logger log(out, LogLevel::debug, Logger::Style::journal);
	log.error("e");
	log.warn("w");
	log.info("i");
	log.debug("d");
	CHECK(out.str() == "<3>e\n<4>w\n<6>i\n<7>d\n");
}
