// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/run.hpp"

#include "hpsctl/client.hpp"
#include "hpsctl/render.hpp"

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

} // namespace

ExitCode run_command(const Options& options, const RunCommand& command, std::ostream& out,
		     std::ostream& err)
{
	switch (command.id) {
	case CommandId::status:
		return query(options, command, "status", Json::object(), render_status, out, err);
	}
	err << "hpsctl: " << command.name << ": not implemented\n";
	return exit_failure;
}

} // namespace hpsctl
