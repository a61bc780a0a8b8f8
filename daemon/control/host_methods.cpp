// SPDX-License-Identifier: GPL-2.0-only
#include "control/host_methods.hpp"

#include "control/params.hpp"
#include "util/json_text.hpp"

#include <algorithm>
#include <initializer_list>

namespace hpsd {
namespace {

using params::invalid;
using params::member;
using params::only_members;
using hps::api::ApiError;
using hps::api::ErrorCode;
using hps::api::Json;
using Result = hps::Result<Json, ApiError>;

// A string member; absent and null are "" when optional.
hps::Result<std::string, ApiError> string_member(const Json& params, std::string_view name,
						 bool required)
{
	auto it = params.find(name);
	if (it == params.end() || (!required && it->is_null())) {
		if (required)
			return invalid(member(name) + " is missing");
		return std::string();
	}
	if (!it->is_string() || it->get_ref<const std::string&>().empty())
		return invalid(member(name) + ": " + hps::describe_value(*it) +
			       " is not a non-empty string");
	return it->get<std::string>();
}

ApiError api_error(const exports::HostError& e)
{
	switch (e.kind) {
	case exports::HostErrorKind::invalid:
		return {ErrorCode::invalid_params, e.message};
	case exports::HostErrorKind::not_found:
		return {ErrorCode::not_found, e.message};
	case exports::HostErrorKind::conflict:
		return {ErrorCode::illegal_state, e.message};
	case exports::HostErrorKind::io:
		break;
	}
	return {ErrorCode::internal, e.message};
}

// volume.attach / volume.detach: {"name": VOLUME, "host": HOST}.  Only
// attach needs the volume registered: a volume gone from this node may
// still be detached, so that its host can be removed.
hps::Result<std::pair<std::string, std::string>, ApiError>
attach_params(const Json& params, const VolumeExists& volume_exists, bool must_exist)
{
	if (auto checked = only_members(params, {"name", "host"}); !checked)
		return hps::fail(checked.error());
	auto name = string_member(params, "name", true);
	if (!name)
		return hps::fail(name.error());
	auto host = string_member(params, "host", true);
	if (!host)
		return hps::fail(host.error());
	if (must_exist && !volume_exists(*name))
		return hps::fail(ApiError{ErrorCode::not_found, "no volume \"" + *name + "\""});
	return std::pair{*name, *host};
}

} // namespace

Json host_json(const exports::Host& host)
{
	return Json{{"name", host.name},
		    {"nqn", host.nqn},
		    {"iqn", host.iqn.empty() ? Json(nullptr) : Json(host.iqn)},
		    {"chap", !host.chap_secret.empty()},
		    {"volumes", host.volumes}};
}

Json volume_export_json(const exports::VolumeExportView& view, bool enabled)
{
	Json ports = Json::array();
	for (const auto& p : view.ports)
		ports.push_back(Json{{"id", p.id},
				     {"transport", p.trtype},
				     {"address", p.traddr},
				     {"service", p.trsvcid},
				     {"ana_state", view.ana_state}});
	Json iscsi(nullptr);
	if (!view.iqn.empty()) {
		Json portals = Json::array();
		for (const auto& p : view.portals)
			portals.push_back(Json{{"address", p.address}, {"port", p.port}});
		iscsi = Json{{"iqn", view.iqn},
			     {"exported", view.iscsi_exported},
			     {"tpg_tag", view.iscsi_exported ? Json(view.tpg_tag) : Json(nullptr)},
			     {"alua_state",
			      view.iscsi_exported ? Json(view.alua_state) : Json(nullptr)},
			     {"portals", portals}};
	}
	return Json{{"enabled", enabled},
		    {"nvme", view.nvme},
		    {"nqn", view.nqn},
		    {"iscsi", iscsi},
		    {"hosts", view.hosts},
		    {"exported", view.exported},
		    {"ana_state", view.exported ? Json(view.ana_state) : Json(nullptr)},
		    {"ports", ports}};
}

VolumeExportHooks volume_export_hooks(const exports::ExportService& exports)
{
	VolumeExportHooks hooks;
	hooks.json = [&exports](const hps::volume::VolumeRecord& record) {
		Json j = volume_export_json(exports.volume_view(record), exports.enabled());
		j["last_error"] =
			exports.last_error().empty() ? Json(nullptr) : Json(exports.last_error());
		return j;
	};
	hooks.before_delete = [&exports](const std::string& name) -> hps::Result<void, ApiError> {
		const auto hosts = exports.hosts().hosts_of(name);
		if (hosts.empty())
			return {};
		std::string names;
		for (const exports::Host* h : hosts)
			names += (names.empty() ? "" : ", ") + h->name;
		return hps::fail(ApiError{ErrorCode::illegal_state,
					  "volume \"" + name + "\" is attached to host" +
						  (hosts.size() == 1 ? " " : "s ") + names +
						  ": detach it first (volume.detach)"});
	};
	return hooks;
}

void add_host_methods(Dispatcher& dispatcher, exports::ExportService& exports,
		      VolumeExists volume_exists)
{
	dispatcher.add("host.list", [&exports](const Json& params) -> Result {
		if (auto checked = expect_no_params(params); !checked)
			return hps::fail(checked.error());
		Json hosts = Json::array();
		for (const auto& host : exports.hosts().hosts())
			hosts.push_back(host_json(host));
		return Json{{"hosts", hosts}};
	});

	dispatcher.add("host.add", [&exports](const Json& params) -> Result {
		if (auto checked = only_members(params, {"name", "nqn", "iqn", "chap_secret"}); !checked)
			return hps::fail(checked.error());
		exports::Host host;
		for (auto [field, required, out] :
		     {std::tuple{"name", true, &host.name}, std::tuple{"nqn", true, &host.nqn},
		      std::tuple{"iqn", false, &host.iqn},
		      std::tuple{"chap_secret", false, &host.chap_secret}}) {
			auto value = string_member(params, field, required);
			if (!value)
				return hps::fail(value.error());
			*out = std::move(value).value();
		}
		auto added = exports.add_host(host);
		if (!added)
			return hps::fail(api_error(added.error()));
		return Json{{"added", *added}, {"host", host_json(*exports.hosts().find(host.name))}};
	});

	dispatcher.add("host.remove", [&exports](const Json& params) -> Result {
		if (auto checked = only_members(params, {"name"}); !checked)
			return hps::fail(checked.error());
		auto name = string_member(params, "name", true);
		if (!name)
			return hps::fail(name.error());
		if (auto removed = exports.remove_host(*name); !removed)
			return hps::fail(api_error(removed.error()));
		return Json{{"removed", *name}};
	});

	dispatcher.add("volume.attach", [&exports, volume_exists](const Json& params) -> Result {
		auto p = attach_params(params, volume_exists, true);
		if (!p)
			return hps::fail(p.error());
		auto attached = exports.attach(p->second, p->first);
		if (!attached)
			return hps::fail(api_error(attached.error()));
		return Json{{"attached", *attached},
			    {"name", p->first},
			    {"host", p->second},
			    {"export_error", exports.last_error().empty() ? Json(nullptr)
									  : Json(exports.last_error())}};
	});

	dispatcher.add("volume.detach", [&exports, volume_exists](const Json& params) -> Result {
		auto p = attach_params(params, volume_exists, false);
		if (!p)
			return hps::fail(p.error());
		auto detached = exports.detach(p->second, p->first);
		if (!detached)
			return hps::fail(api_error(detached.error()));
		return Json{{"detached", *detached},
			    {"name", p->first},
			    {"host", p->second},
			    {"export_error", exports.last_error().empty() ? Json(nullptr)
									  : Json(exports.last_error())}};
	});
}

} // namespace hpsd
