// SPDX-License-Identifier: GPL-2.0-only
#include "control/volume_methods.hpp"

#include "control/params.hpp"
#include "util/errno_text.hpp"
#include "util/json_text.hpp"
#include "volume/naming.hpp"
#include "volume/pool_layout.hpp"

#include <initializer_list>
#include <limits>

namespace hpsd {
namespace {

using params::invalid;
using params::member;
using params::only_members;
using hps::api::ApiError;
using hps::api::ErrorCode;
using hps::api::Json;
using hps::volume::ApiResult;

hps::Result<std::string, ApiError> required_string(const Json& params, std::string_view name)
{
	auto it = params.find(name);
	if (it == params.end())
		return invalid(member(name) + " is missing");
	if (!it->is_string())
		return invalid(member(name) + ": " + hps::describe_value(*it) + " is not a string");
	return it->get<std::string>();
}

hps::Result<bool, ApiError> optional_bool(const Json& params, std::string_view name)
{
	auto it = params.find(name);
	if (it == params.end())
		return false;
	if (!it->is_boolean())
		return invalid(member(name) + ": " + hps::describe_value(*it) + " is not true or false");
	return it->get<bool>();
}

hps::Result<std::uint32_t, ApiError> pool_id(const Json& value, std::string_view name)
{
	if (!value.is_number_unsigned() ||
	    value.get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max())
		return invalid(member(name) + ": " + hps::describe_value(value) +
			       " is not a pool id (an unsigned integer)");
	return static_cast<std::uint32_t>(value.get<std::uint64_t>());
}

// "10G" or 10737418240.
hps::Result<std::uint64_t, ApiError> size_param(const Json& params)
{
	auto it = params.find("size");
	if (it == params.end())
		return invalid(member("size") + " is missing");
	if (it->is_number_unsigned()) {
		auto bytes = it->get<std::uint64_t>();
		if (auto ok = hps::volume::check_size(bytes); !ok)
			return invalid(member("size") + ": " + ok.error());
		return bytes;
	}
	if (it->is_string()) {
		auto bytes = hps::volume::parse_size(it->get<std::string>());
		if (!bytes)
			return invalid(member("size") + ": " + bytes.error());
		return *bytes;
	}
	return invalid(member("size") + ": " + hps::describe_value(*it) +
		       " is not a size (bytes, or a string like \"10G\")");
}

template <class T>
Json or_null(const std::optional<T>& value)
{
	return value ? Json(*value) : Json(nullptr);
}

Json volume_status_json(const hps::dm::VolumeStatus& s)
{
	return Json{{"role", s.role},
		    {"mode", s.mode},
		    {"volume_id", s.volume_id},
		    {"cached_blocks", or_null(s.cached_blocks)},
		    {"dirty_blocks", or_null(s.dirty_blocks)},
		    {"reads", or_null(s.reads)},
		    {"read_hits", or_null(s.read_hits)},
		    {"read_misses", or_null(s.read_misses)},
		    {"writes", or_null(s.writes)},
		    {"write_through", or_null(s.write_through)},
		    {"flushes", or_null(s.flushes)},
		    {"discards", or_null(s.discards)},
		    {"errors", or_null(s.errors)},
		    {"state", or_null(s.state)}};
}

Json flush_json(const hps::volume::FlushView& flush)
{
	const auto& s = flush.state;
	return Json{{"elapsed_s", flush.elapsed.count()},
		    {"blocks_cleaned", s.blocks_cleaned},
		    {"blocks_held", s.blocks_held},
		    {"backing_off", s.backing_off},
		    {"last_errno", -s.last_error},
		    {"last_error", s.last_error < 0 ? Json(hps::errno_text(-s.last_error))
						    : Json(nullptr)}};
}

} // namespace

Json pool_json(const hps::volume::PoolView& pool)
{
	Json j{{"id", pool.spec.id},
	       {"device", pool.spec.device},
	       {"dm_device", "/dev/mapper/" + pool.spec.dm_name},
	       {"active", pool.active},
	       {"origin", pool.origin.empty() ? Json(nullptr) : Json(pool.origin)},
	       {"error", pool.error.empty() ? Json(nullptr) : Json(pool.error)},
	       {"volumes", pool.volumes}};
	const auto& s = pool.status;
	j["abi_version"] = s ? Json(s->abi_version) : Json(nullptr);
	j["block_sectors"] = s ? Json(s->block_sectors) : Json(nullptr);
	j["total_blocks"] = s ? Json(s->total_blocks) : Json(nullptr);
	j["nr_volumes"] = s ? Json(s->nr_volumes) : Json(nullptr);
	j["mode"] = s ? Json(s->mode) : Json(nullptr);
	j["uuid"] = s ? or_null(s->uuid) : Json(nullptr);
	j["used_blocks"] = s ? or_null(s->used_blocks) : Json(nullptr);
	j["dirty_blocks"] = s ? or_null(s->dirty_blocks) : Json(nullptr);
	j["index_bytes"] = s ? or_null(s->index_bytes) : Json(nullptr);
	return j;
}

Json volume_json(const hps::volume::VolumeView& volume,
		 const std::optional<hps::volume::FlushView>& flush, const Json& replica,
		 const Json& export_info)
{
	const auto& r = volume.record;
	std::optional<std::uint64_t> dirty;
	if (volume.status)
		dirty = volume.status->dirty_blocks;
	return Json{{"name", r.name},
		    {"id", r.id},
		    {"pool_id", r.pool_id},
		    {"size_bytes", r.size_bytes},
		    {"image", r.image},
		    {"role", std::string(hps::volume::to_string(r.role))},
		    {"peer", r.peer.empty() ? Json(nullptr) : Json(r.peer)},
		    {"replica", replica},
		    {"export", export_info},
		    {"device", volume.device},
		    {"present", volume.present},
		    {"error", volume.error.empty() ? Json(nullptr) : Json(volume.error)},
		    {"dirty_blocks", or_null(dirty)},
		    {"block_bytes", std::uint64_t{hps::volume::pool_block_sectors} * 512},
		    {"flushing", flush.has_value()},
		    {"flush", flush ? flush_json(*flush) : Json(nullptr)},
		    {"status", volume.status ? volume_status_json(*volume.status) : Json(nullptr)}};
}

hps::Result<std::string, ApiError> flush_params(const Json& params)
{
	if (auto checked = only_members(params, {"name"}); !checked)
		return hps::fail(checked.error());
	return required_string(params, "name");
}

Json flush_result(const hps::volume::VolumeView& volume,
		  const std::optional<hps::volume::FlushView>& flush)
{
	std::optional<std::uint64_t> dirty;
	if (volume.status)
		dirty = volume.status->dirty_blocks;
	return Json{{"name", volume.record.name},
		    {"dirty_blocks", or_null(dirty)},
		    {"block_bytes", std::uint64_t{hps::volume::pool_block_sectors} * 512},
		    {"flushing", flush.has_value()},
		    {"flush", flush ? flush_json(*flush) : Json(nullptr)}};
}

void add_volume_methods(Dispatcher& dispatcher, hps::volume::Service& service,
			hps::volume::FlushTracker& flushes, ReplicaJson replica,
			VolumeExportHooks exports)
{
	auto replica_of = [replica](const hps::volume::VolumeRecord& record) {
		return replica ? replica(record) : Json(nullptr);
	};
	auto export_of = [json = exports.json](const hps::volume::VolumeRecord& record) {
		return json ? json(record) : Json(nullptr);
	};
	using Clock = hps::volume::FlushTracker::Clock;
	using Result = hps::Result<Json, ApiError>;

	dispatcher.add("pool.list", [&service](const Json& params) -> Result {
		if (auto checked = expect_no_params(params); !checked)
			return hps::fail(checked.error());
		Json pools = Json::array();
		for (const auto& pool : service.list_pools())
			pools.push_back(pool_json(pool));
		return Json{{"pools", pools}};
	});

	dispatcher.add("pool.show", [&service](const Json& params) -> Result {
		if (auto checked = only_members(params, {"id"}); !checked)
			return hps::fail(checked.error());
		auto it = params.find("id");
		if (it == params.end())
			return invalid(member("id") + " is missing");
		auto id = pool_id(*it, "id");
		if (!id)
			return hps::fail(id.error());
		auto pool = service.show_pool(*id);
		if (!pool)
			return hps::fail(pool.error());
		return pool_json(*pool);
	});

	dispatcher.add("volume.list", [&service, &flushes, replica_of,
				       export_of](const Json& params) -> Result {
		if (auto checked = expect_no_params(params); !checked)
			return hps::fail(checked.error());
		Json volumes = Json::array();
		for (const auto& volume : service.list_volumes())
			volumes.push_back(volume_json(volume,
						      flushes.view(volume.record.name, Clock::now()),
						      replica_of(volume.record), export_of(volume.record)));
		return Json{{"volumes", volumes}};
	});

	dispatcher.add("volume.show", [&service, &flushes, replica_of,
				       export_of](const Json& params) -> Result {
		if (auto checked = only_members(params, {"name"}); !checked)
			return hps::fail(checked.error());
		auto name = required_string(params, "name");
		if (!name)
			return hps::fail(name.error());
		auto volume = service.show_volume(*name);
		if (!volume)
			return hps::fail(volume.error());
		return volume_json(*volume, flushes.view(*name, Clock::now()), replica_of(volume->record),
				   export_of(volume->record));
	});

	// Starts the drain and returns at once: the handler runs on the
	// control loop, the drain on the writeback engine's thread.
	dispatcher.add("volume.flush", [&service, &flushes](const Json& params) -> Result {
		auto name = flush_params(params);
		if (!name)
			return hps::fail(name.error());
		auto volume = service.show_volume(*name);
		if (!volume)
			return hps::fail(volume.error());
		const auto now = Clock::now();
		std::optional<std::uint64_t> dirty;
		if (volume->status)
			dirty = volume->status->dirty_blocks;
		// Nothing dirty (or a kernel without a cache): nothing to drain,
		// but a drain already running is still shown.
		if (!dirty || *dirty == 0)
			return flush_result(*volume, flushes.view(*name, now));
		if (!flushes.available())
			return hps::fail(ApiError{
				ErrorCode::illegal_state,
				"volume \"" + *name + "\" has " + std::to_string(*dirty) +
					" dirty blocks, but hpsd's writeback engine is not "
					"running (hpsd's log says why): they cannot be drained"});
		return flush_result(*volume, flushes.start(*name, volume->record.id, now));
	});

	dispatcher.add("volume.create", [&service, replica_of, export_of](const Json& params) -> Result {
		if (auto checked = only_members(params, {"name", "size", "pool", "replica_node"});
		    !checked)
			return hps::fail(checked.error());
		hps::volume::CreateRequest request;
		auto name = required_string(params, "name");
		if (!name)
			return hps::fail(name.error());
		if (auto ok = hps::volume::check_volume_name(*name); !ok)
			return invalid(member("name") + ": " + ok.error());
		request.name = *name;
		auto size = size_param(params);
		if (!size)
			return hps::fail(size.error());
		request.size_bytes = *size;
		if (auto it = params.find("pool"); it != params.end() && !it->is_null()) {
			auto id = pool_id(*it, "pool");
			if (!id)
				return hps::fail(id.error());
			request.pool = *id;
		}
		if (auto it = params.find("replica_node"); it != params.end() && !it->is_null()) {
			auto node = required_string(params, "replica_node");
			if (!node)
				return hps::fail(node.error());
			if (node->empty())
				return invalid(member("replica_node") + " is empty");
			request.replica_node = *node;
		}
		auto outcome = service.create_volume(request);
		if (!outcome)
			return hps::fail(outcome.error());
		return Json{{"created", outcome->created},
			    {"image_created", outcome->image_created},
			    {"volume", volume_json(outcome->volume, std::nullopt,
						   replica_of(outcome->volume.record),
						   export_of(outcome->volume.record))}};
	});

	dispatcher.add("volume.delete", [&service, &flushes,
					 before_delete = exports.before_delete](const Json& params) -> Result {
		if (auto checked = only_members(params, {"name", "force", "delete_image"}); !checked)
			return hps::fail(checked.error());
		hps::volume::DeleteRequest request;
		auto name = required_string(params, "name");
		if (!name)
			return hps::fail(name.error());
		request.name = *name;
		auto force = optional_bool(params, "force");
		if (!force)
			return hps::fail(force.error());
		request.force = *force;
		auto image = optional_bool(params, "delete_image");
		if (!image)
			return hps::fail(image.error());
		request.delete_image = *image;
		if (before_delete)
			if (auto ok = before_delete(request.name); !ok)
				return hps::fail(ok.error());
		auto outcome = service.delete_volume(request);
		if (!outcome)
			return hps::fail(outcome.error());
		flushes.forget(outcome->record.name);
		return Json{{"deleted", outcome->record.name},
			    {"id", outcome->record.id},
			    {"image", outcome->record.image},
			    {"image_deleted", outcome->image_deleted},
			    {"dirty_blocks_discarded", or_null(outcome->dirty_blocks)},
			    {"pool_released", outcome->pool_released},
			    {"pool_release_error", outcome->release_error.empty()
							   ? Json(nullptr)
							   : Json(outcome->release_error)}};
	});

	// Blocking: claiming the image asks Ceph (and may blocklist the old
	// primary's clients), bounded by hpsd's Ceph timeouts.
	dispatcher.add("volume.promote", [&service, replica_of, export_of](const Json& params) -> Result {
		if (auto checked = only_members(params, {"name", "force"}); !checked)
			return hps::fail(checked.error());
		hps::volume::PromoteRequest request;
		auto name = required_string(params, "name");
		if (!name)
			return hps::fail(name.error());
		request.name = *name;
		auto force = optional_bool(params, "force");
		if (!force)
			return hps::fail(force.error());
		request.force = *force;
		auto outcome = service.promote_volume(request);
		if (!outcome)
			return hps::fail(outcome.error());
		return Json{{"promoted", outcome->promoted},
			    {"fenced_node", outcome->fenced_node.empty() ? Json(nullptr)
									 : Json(outcome->fenced_node)},
			    {"fenced_addresses", outcome->fenced_addresses},
			    // Its export after the ANA flip (optimized here now).
			    {"volume", volume_json(outcome->volume, std::nullopt,
						   replica_of(outcome->volume.record),
						   export_of(outcome->volume.record))}};
	});
}

} // namespace hpsd
