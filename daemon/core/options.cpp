// SPDX-License-Identifier: GPL-2.0-only
#include "core/options.hpp"

#include <optional>

namespace hpsd {
namespace {

// Splits "--name=value" so both "--name value" and "--name=value" work.
struct Arg {
	std::string_view name;
	std::optional<std::string_view> inline_value;
};

Arg split(std::string_view arg)
{
	auto eq = arg.find('=');
	if (arg.starts_with("--") && eq != std::string_view::npos)
		return {arg.substr(0, eq), arg.substr(eq + 1)};
	return {arg, std::nullopt};
}

} // namespace

hps::Result<Invocation, std::string> parse_options(std::span<const std::string_view> args)
{
	RunOptions run;
	for (std::size_t i = 0; i < args.size(); ++i) {
		auto [name, inline_value] = split(args[i]);

		// Options that take a value.
		std::string* target = nullptr;
		if (name == "--config")
			target = &run.config_path;
		else if (name == "--sysfs-module-dir")
			target = &run.sysfs_module_dir;
		if (target) {
			std::string_view value;
			if (inline_value)
				value = *inline_value;
			else if (i + 1 < args.size())
				value = args[++i];
			else
				return hps::fail(std::string(name) + " needs a value");
			if (value.empty())
				return hps::fail(std::string(name) + " needs a non-empty value");
			*target = value;
			continue;
		}

		if (inline_value)
			return hps::fail(std::string(name) + " takes no value");
		if (name == "-h" || name == "--help")
			return Invocation{ShowHelp{}};
		if (name == "-V" || name == "--version")
			return Invocation{ShowVersion{}};
		if (name == "--foreground")
			continue; // hpsd always runs in the foreground; accepted for scripts
		if (name == "--check-config") {
			run.check_config = true;
			continue;
		}
		if (name.starts_with("-"))
			return hps::fail("unknown option \"" + std::string(name) + "\"");
		return hps::fail("unexpected argument \"" + std::string(name) + "\"");
	}
	return Invocation{run};
}

std::string usage_text()
{
	return R"(Usage: hpsd [--config PATH] [--foreground] [--check-config]

hpsd is the hps storage node daemon, one per storage node.  It serves the
control API that hpsctl talks to on a UNIX socket (daemon/PROTOCOL.md) and
checks the dm-hps kernel module's ABI.  It always runs in the foreground
and logs to stderr.

Options:
  --config PATH            configuration file (default /etc/hps/hpsd.json;
                           see daemon/CONFIG.md in the hps source)
  --foreground             accepted and ignored: hpsd never daemonizes
  --check-config           validate the configuration, report, and exit
  --sysfs-module-dir DIR   where the dm_hps module shows in sysfs
                           (default /sys/module/dm_hps; for tests)
  -h, --help               show this help
  -V, --version            print the version

Signals: SIGTERM or SIGINT stops hpsd cleanly (socket removed, exit 0).

Exit status:
  0  stopped cleanly, or --check-config found the config valid
  1  failed while starting or running (e.g. another hpsd owns the socket)
  2  bad command line or bad configuration
)";
}

} // namespace hpsd
