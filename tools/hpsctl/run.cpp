// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/run.hpp"

#include "hpsctl/client.hpp"
#include "hpsctl/drain.hpp"
#include "hpsctl/host_commands.hpp"
#include "hpsctl/render.hpp"
#include "hpsctl/render_volume.hpp"

#include <charconv>
#include <thread>

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
		if (command.options.contains("--replica-node"))
			params["replica_node"] = option(command, "--replica-node");
		return params;
	}
	case CommandId::volume_show:
	case CommandId::volume_flush:
		return Json{{"name", command.operands.at(0)}};
	case CommandId::volume_promote:
		return Json{{"name", command.operands.at(0)},
			    {"force", command.options.contains("--force")}};
	case CommandId::volume_delete:
		return Json{{"name", command.operands.at(0)},
			    {"force", command.options.contains("--force")},
			    {"delete_image", command.options.contains("--delete-image")}};
	default:
		return Json::object();
	}
}

// One request; hpsd's errors worded like query()'s.
hps::Result<Json, Failure> ask(const Options& options, const RunCommand& command,
			       const std::string& method, const Json& params)
{
	auto response = call_hpsd(options.socket, options.timeout, {1, method, params});
	if (!response)
		return hps::fail(Failure{response.error().exit_code, response.error().message});
	if (!response->outcome) {
		const auto& error = response->outcome.error();
		return hps::fail(Failure{exit_code_for(error.code), command.name + ": " + error.message});
	}
	return *response->outcome;
}

DrainSeams real_seams(const Options& options, const RunCommand& command)
{
	return {[&options, &command](const std::string& method, const Json& params) {
			return ask(options, command, method, params);
		},
		[] { return DrainSeams::Clock::now(); },
		[](std::chrono::milliseconds ms) { std::this_thread::sleep_for(ms); }};
}

// flush --wait and delete: the drain's limit from --timeout-drain.
hps::Result<DrainRequest, std::string> drain_request(const RunCommand& command, bool tty,
						     std::string give_up_note)
{
	DrainRequest request{command.name, command.operands.at(0), default_drain_timeout, tty,
			     std::move(give_up_note)};
	if (command.options.contains("--timeout-drain")) {
		auto timeout = parse_drain_timeout(option(command, "--timeout-drain"));
		if (!timeout)
			return hps::fail(timeout.error());
		request.timeout = *timeout;
	}
	return request;
}

ExitCode run_flush(const Options& options, const RunCommand& command, const Json& params,
		   bool tty, std::ostream& out, std::ostream& err)
{
	const bool wait = command.options.contains("--wait");
	if (!wait && command.options.contains("--timeout-drain")) {
		err << "hpsctl: " << command.name << ": --timeout-drain needs --wait\n";
		return exit_bad_arguments;
	}
	if (!wait)
		return query(options, command, "volume.flush", params, render_volume_flush, out, err);
	auto request = drain_request(command, tty, "");
	if (!request) {
		err << "hpsctl: " << command.name << ": " << request.error() << '\n';
		return exit_bad_arguments;
	}
	if (auto drained = drain_volume(real_seams(options, command), *request, err); !drained) {
		err << "hpsctl: " << drained.error().message << '\n';
		return drained.error().code;
	}
	// What is left to print is the volume as it is now.
	return query(options, command, "volume.show", params, render_volume, out, err);
}

// Without --force: drain, then delete (hpsd itself refuses a volume that
// still has dirty blocks, should some be written meanwhile).
ExitCode run_delete(const Options& options, const RunCommand& command, const Json& params,
		    bool tty, std::ostream& out, std::ostream& err)
{
	if (!command.options.contains("--force")) {
		auto request = drain_request(command, tty, "; the volume is left in place");
		if (!request) {
			err << "hpsctl: " << command.name << ": " << request.error() << '\n';
			return exit_bad_arguments;
		}
		if (auto drained = drain_volume(real_seams(options, command), *request, err);
		    !drained) {
			err << "hpsctl: " << drained.error().message << '\n';
			return drained.error().code;
		}
	}
	return query(options, command, "volume.delete", params, render_volume_deleted, out, err);
}

} // namespace

ExitCode run_command(const Options& options, const RunCommand& command, std::ostream& out,
		     std::ostream& err, bool err_tty)
{
	switch (command.id) {
	case CommandId::status:
		return query(options, command, "status", Json::object(), render_status, out, err);
	case CommandId::host_add:
	case CommandId::host_list:
	case CommandId::host_remove:
	case CommandId::volume_attach:
	case CommandId::volume_detach: {
		auto request = host_request(command);
		if (!request) {
			err << "hpsctl: " << command.name << ": " << request.error() << '\n';
			return exit_bad_arguments;
		}
		auto render = command.id == CommandId::host_add	     ? render_host_added
			      : command.id == CommandId::host_list   ? render_host_list
			      : command.id == CommandId::host_remove ? render_host_removed
			      : command.id == CommandId::volume_attach ? render_volume_attached
								       : render_volume_detached;
		return query(options, command, request->method, request->params, render, out, err);
	}
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
		return run_delete(options, command, *params, err_tty, out, err);
	case CommandId::volume_flush:
		return run_flush(options, command, *params, err_tty, out, err);
	case CommandId::volume_promote:
		return query(options, command, "volume.promote", *params, render_volume_promoted, out,
			     err);
	default:
		break;
	}
	err << "hpsctl: " << command.name << ": not implemented\n";
	return exit_failure;
}

} // namespace hpsctl
