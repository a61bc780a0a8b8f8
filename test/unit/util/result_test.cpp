// SPDX-License-Identifier: GPL-2.0-only
#include "util/result.hpp"

#include <catch2/catch.hpp>

#include <string>

using hps::fail;
using hps::Result;

TEST_CASE("result: holds a value or an error", "[result]")
{
	Result<int, std::string> good = 42;
	REQUIRE(good.ok());
	CHECK(*good == 42);

	Result<int, std::string> bad = fail(std::string("broken"));
	REQUIRE_FALSE(bad.ok());
	CHECK(bad.error() == "broken");
}

TEST_CASE("result: tells value from error when both are the same type", "[result]")
{
	Result<std::string, std::string> good = std::string("value");
	Result<std::string, std::string> bad = fail(std::string("error"));
	CHECK(good.ok());
	CHECK(good.value() == "value");
	CHECK_FALSE(bad.ok());
	CHECK(bad.error() == "error");
}

TEST_CASE("result: void results carry only an error", "[result]")
{
	Result<void, std::string> good;
	Result<void, std::string> bad = fail(std::string("nope"));
	CHECK(good.ok());
	CHECK_FALSE(bad.ok());
	CHECK(bad.error() == "nope");
}

TEST_CASE("result: moves its value out", "[result]")
{
	Result<std::string, int> r = std::string(1000, 'x');
	std::string taken = std::move(r).value();
	CHECK(taken.size() == 1000);
}
