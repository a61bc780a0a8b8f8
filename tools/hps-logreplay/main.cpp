// SPDX-License-Identifier: GPL-2.0-only
// hps-logreplay entry point: parse, then print help or run the command.
#include "hps-logreplay/cli.hpp"
#include "hps-logreplay/run.hpp"
#include "util/version.hpp"

#include <exception>
#include <iostream>
#include <string_view>
#include <vector>

int main(int argc, char** argv)
{
	using namespace hps::logreplay;
	std::vector<std::string_view> args(argv + 1, argv + argc);
	auto command = parse_cli(args);
	if (!command) {
		std::cerr << "hps-logreplay: " << command.error() << '\n';
		return exit_bad_arguments;
	}
	try {
		if (const auto* help = std::get_if<ShowHelp>(&*command)) {
			std::cout << help->text;
			return exit_ok;
		}
		if (std::holds_alternative<ShowVersion>(*command)) {
			std::cout << "hps-logreplay " << hps::version << '\n';
			return exit_ok;
		}
		if (const auto* c = std::get_if<ListCommand>(&*command))
			return run_list(*c, std::cout, std::cerr);
		if (const auto* c = std::get_if<PointsCommand>(&*command))
			return run_points(*c, std::cout, std::cerr);
		return run_replay(std::get<ReplayCommand>(*command), std::cout, std::cerr);
	} catch (const std::exception& e) {
		std::cerr << "hps-logreplay: " << e.what() << '\n';
		return exit_failure;
	}
}
