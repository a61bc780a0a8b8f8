// SPDX-License-Identifier: GPL-2.0-only
// hpsd entry point: command line, config, logger, then run_daemon().
#include "core/config_file.hpp"
#include "core/daemon.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "util/version.hpp"

#include <sys/stat.h>

#include <csignal>
#include <exception>
#include <iostream>
#include <string_view>
#include <vector>

int main(int argc, char** argv)
{
	std::vector<std::string_view> args(argv + 1, argv + argc);
	auto invocation = hpsd::parse_options(args);
	if (!invocation) {
		std::cerr << "hpsd: " << invocation.error() << " (try 'hpsd --help')\n";
		return 2;
	}
	if (std::holds_alternative<hpsd::ShowHelp>(*invocation)) {
		std::cout << hpsd::usage_text();
		return 0;
	}
	if (std::holds_alternative<hpsd::ShowVersion>(*invocation)) {
		std::cout << "hpsd " << hps::version << '\n';
		return 0;
	}
	const auto& options = std::get<hpsd::RunOptions>(*invocation);

	auto config = hpsd::load_config_file(options.config_path, hpsd::host_name());
	if (!config) {
		for (const auto& line : config.error())
			std::cerr << line << '\n';
		return 2;
	}
	if (options.check_config) {
		std::cout << "config " << options.config_path << ": ok\n";
		return 0;
	}

	// Everything hpsd creates (socket, its directory, state) is root's alone.
	::umask(077);
	// A client that hangs up must cost an EPIPE on write, not the daemon.
	std::signal(SIGPIPE, SIG_IGN);

	// Under systemd, stderr goes to the journal, which takes the priority
	// from a "<N>" prefix; elsewhere plain "hpsd: level:" lines read better.
	auto style = hpsd::stderr_is_journal() ? hpsd::Logger::Style::journal
					       : hpsd::Logger::Style::plain;
	hpsd::Logger log(std::cerr, config->log_level, style);
	try {
		return hpsd::run_daemon(*config, options, log);
	} catch (const std::exception& e) {
		log.error(std::string("fatal: ") + e.what());
		return 1;
	}
}
