// SPDX-License-Identifier: GPL-2.0-only
// hpsctl entry point: parse, then print help or run the command.
#include "hpsctl/cli.hpp"
#include "hpsctl/run.hpp"
#include "util/version.hpp"

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string_view>
#include <vector>

int main(int argc, char** argv)
{
	std::vector<std::string_view> args(argv + 1, argv + argc);
	hpsctl::Environment env;
	if (const char* socket = std::getenv("HPS_SOCKET"))
		env.hps_socket = socket;

	auto command = hpsctl::parse_cli(args, env);
	if (!command) {
		std::cerr << "hpsctl: " << command.error() << '\n';
		return hpsctl::exit_bad_arguments;
	}
	if (const auto* help = std::get_if<hpsctl::ShowHelp>(&command->action)) {
		std::cout << help->text;
		return hpsctl::exit_ok;
	}
	if (std::holds_alternative<hpsctl::ShowVersion>(command->action)) {
		std::cout << "hpsctl " << hps::version << '\n';
		return hpsctl::exit_ok;
	}
	try {
		return hpsctl::run_command(command->options, std::get<hpsctl::RunCommand>(command->action),
					   std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1);
	} catch (const std::exception& e) {
		std::cerr << "hpsctl: " << e.what() << '\n';
		return hpsctl::exit_failure;
	}
}
