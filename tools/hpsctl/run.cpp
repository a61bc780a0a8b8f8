// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/run.hpp"

#include "hpsctl/client.hpp"
#include "hpsctl/render.hpp"
#include "hpsctl/render_volume.hpp"

#include <charconv>

namespace hpsctl {
namespace {

using Json = hps::api::Json;

// Asks hpsd for `method` and prints the result with `render` (table
// format) or as JSON.
template <class Render>
ExitCode query(const Options& options, const RunCommand& command, const std::string& method,
	       const Json& params, Render render, std::ostream& out, std::ostream& err)
{
	hps::api::Request request{1, method, params};
	auto response = call_hpsd(options.socket, options.timeout, request);
	if (!response) {
		err << "hpsctl: " << response.error().message << '\n';
		return response.error().exit_code;
	}
	if (!response->outcome) {
		const auto& error = response->outcome.error();
		err << "hpsctl: " << command.name << ": " << error.message << '\n';
		return exit_code_for(error.code);
	}
	const Json& result = *response->outcome;
	out << (options.format == Format::json ? render_json(result) : render(result));
	return exit_ok;
}

std::string option(const RunCommand& command, std::string_view name)
{
	auto it = command.options.find(name);
	return it == command.options.end() ? std::string() : it->second;
}

// A pool id from the command line; hpsd checks that it exists.
std::optional<std::uint64_t> pool_number(std::string_view text)
{
	std::uint64_t id = 0;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
	if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
		return std::nullopt;
	return id;
}

// The params of a pool/volume command, or a one-line error (exit 2).
hps::Result<Json, std::string> params_for(const RunCommand& command)
{
	switch (command.id) {
	case CommandId::pool_show: {
		auto id = pool_number(command.operands.at(0));
		if (!id)
			return hps::fail("pool id \"" + command.operands.at(0) +
					 "\" is not a number (see 'hpsctl pool list')");
		return Json{{"id", *id}};
	}
	case CommandId::volume_create: {
		if (!command.options.contains("--size"))
			return hps::fail(std::string("--size is required (e.g. --size 10G)"));
		// The size goes to hpsd as written: it alone decides what is valid.
		Json params{{"name", command.operands.at(0)}, {"size", option(command, "--size")}};
		if (command.options.contains("--pool")) {
			auto id = pool_number(option(command, "--pool"));
			if (!id)
				return hps::fail("--pool: \"" + option(command, "--pool") +
						 "\" is not a pool id (see 'hpsctl pool list')");
			params["pool"] = *id;
		}
		return params;
	}
	case CommandId::volume_show:
		return Json{{"name", command.operands.at(0)}};
	case CommandId::volume_delete:
		return Json{{"name", command.operands.at(0)},
			    {"force", command.options.contains("--force")},
			    {"delete_image", command.options.contains("--delete-image")}};
	default:
		return Json::object();
	}
}

} // namespace

ExitCode run_command(const Options& options, const RunCommand& command, std::ostream& out,
		     std::ostream& err)
{
	switch (command.id) {
	case CommandId::status:
		return query(options, command, "status", Json::object(), render_status, out, err);
	default:
		break;
	}
	auto params = params_for(command);
	if (!params) {
		err << "hpsctl: " << command.name << ": " << params.error() << '\n';
		return exit_bad_arguments;
	}
	switch (command.id) {
	case CommandId::pool_list:
		return query(options, command, "pool.list", *params, render_pool_list, out, err);
	case CommandId::pool_show:
		return query(options, command, "pool.show", *params, render_pool, out, err);
	case CommandId::volume_create:
		return query(options, command, "volume.create", *params, render_volume_created, out, err);
	case CommandId::volume_list:
		return query(options, command, "volume.list", *params, render_volume_list, out, err);
	case CommandId::volume_show:
		return query(options, command, "volume.show", *params, render_volume, out, err);
	case CommandId::volume_delete:
		return query(options, command, "volume.delete", *params, render_volume_deleted, out, err);
	default:
		break;
	}
	err << "hpsctl: " << command.name << ": not implemented\n";
	return exit_failure;
}

} // namespace hpsctl
