// SPDX-License-Identifier: GPL-2.0-only
// The rollback check both writers' tests run: an apply from `from` to `to`
// that fails at any one of its changes names that change and leaves
// configfs as it was; the same apply then works, and a second one writes
// nothing.  `Lab` is NvmetLab or LioLab.
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <string>

namespace hps::test {

// The path of a CountingConfigfs log line: "write <path>=v", "mkdir <path>", ...
inline std::string path_of(const std::string& line)
{
	std::string path = line.substr(line.find(' ') + 1);
	return path.substr(0, path.find_first_of("= "));
}

template <class Lab, class State>
void fail_each_change(const State& from, const State& to, std::size_t at_least)
{
	std::size_t total = 0;
	{
		Lab lab;
		REQUIRE(lab.writer().apply(from).ok());
		auto changes = lab.writer().apply(to);
		REQUIRE(changes.ok());
		total = *changes;
	}
	REQUIRE(total >= at_least);
	for (std::size_t n = 0; n < total; n++) {
		Lab lab;
		REQUIRE(lab.writer().apply(from).ok());
		const auto before = lab.snapshot();
		lab.counter().clear();
		lab.failer().fail_at(n);
		auto failed = lab.writer().apply(to);
		INFO("change " << n << " of " << total << ": "
			       << (n < lab.counter().log().size() ? lab.counter().log()[n] : "?"));
		REQUIRE_FALSE(failed.ok());
		INFO(failed.error());
		const std::string& line = lab.counter().log().at(n);
		CHECK(failed.error().find(lab.root().string() + "/" + path_of(line)) !=
		      std::string::npos);
		if (line.starts_with("write "))
			CHECK(failed.error().find("\"" + line.substr(line.find('=') + 1) + "\"") !=
			      std::string::npos);
		CHECK(failed.error().find(
			      "Input/output error; the changes before it were undone") !=
		      std::string::npos);
		CHECK(lab.snapshot() == before);

		lab.failer().fail_at(std::nullopt);
		CHECK(lab.writer().apply(to).ok());
		lab.counter().clear();
		CHECK(lab.writer().apply(to).ok());
		CHECK(lab.counter().changes() == 0);
	}
}

} // namespace hps::test
