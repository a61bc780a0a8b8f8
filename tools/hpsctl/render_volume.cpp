// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/render_volume.hpp"

#include "hpsctl/fields.hpp"
#include "hpsctl/host_commands.hpp"
#include "hpsctl/table.hpp"

#include <cstdio>

namespace hpsctl {
namespace {

using Json = nlohmann::json;

std::string size_text(const Json& doc, const char* key)
{
	if (!doc.is_object() || !doc.contains(key) || !doc.at(key).is_number_unsigned())
		return text(doc, key);
	return human_size(doc.at(key).get<std::uint64_t>());
}

std::string pool_state(const Json& pool)
{
	if (member_or_null(pool, "active") == true) {
		std::string mode = text(pool, "mode");
		return mode == "ok" || mode == "-" || mode == "?" ? "active" : "active (" + mode + ")";
	}
	return "failed";
}

std::string volume_state(const Json& volume)
{
	if (member_or_null(volume, "present") != true)
		return "missing";
	const Json& status = member_or_null(volume, "status");
	if (status.is_object() && status.contains("state") && status.at("state").is_string())
		return status.at("state").get<std::string>();
	return "present";
}

// "stor-2: in sync", "stor-2: resyncing 42% (3.0 MiB of 7.1 MiB)",
// "stor-2: degraded since 2026-12-04T12:40:00Z (4.0 MiB changed)", or for
// a secondary "copy of stor-1's volume".
std::string replica_text(const Json& v)
{
	const std::string peer = text(v, "peer");
	const Json& r = member_or_null(v, "replica");
	if (text(v, "role") == "secondary") {
		const std::string state = text(r, "state");
		std::string how = state == "in_sync"		     ? "in sync"
				  : state == "resyncing"	     ? "resyncing"
				  : state == "disconnected_in_sync" ? "disconnected, was in sync"
				  : state == "disconnected"	     ? "disconnected, not in sync"
								     : "not attached yet";
		return "copy of " + peer + "'s volume (" + (r.is_object() ? how : "?") + ")";
	}
	if (!r.is_object())
		return peer + ": unknown (hpsd's replication is not running)";
	const std::string state = text(r, "state");
	if (state == "in_sync")
		return peer + ": in sync";
	if (state == "resyncing") {
		const Json& rs = member_or_null(r, "resync");
		return peer + ": resyncing " + text(rs, "percent") + "% (" + size_text(rs, "acked_bytes") +
		       " of " + size_text(rs, "planned_bytes") + ")";
	}
	if (state == "attaching")
		return peer + ": connecting";
	std::string line = peer + ": degraded since " + text(r, "degraded_since") + " (" +
			   size_text(r, "changed_bytes") + " changed)";
	if (member_or_null(r, "last_error").is_string())
		line += ": " + text(r, "last_error");
	return line;
}

// "held (confirmed 1.2 s ago)", "LAPSED: not serving (last confirmed 14.0 s
// ago: Ceph: ...)", "waiting for the old primary's lease", "FENCED: ...".
std::string lease_text(const Json& lease)
{
	const std::string state = text(lease, "state");
	std::string ago = "never";
	if (member_or_null(lease, "confirmed_ms_ago").is_number()) {
		const auto ms = lease.at("confirmed_ms_ago").get<std::int64_t>();
		ago = std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s ago";
	}
	const std::string why = member_or_null(lease, "last_error").is_string()
					? ": " + text(lease, "last_error")
					: std::string();
	if (state == "held")
		return "held (confirmed " + ago + ")";
	if (state == "waiting_for_old_primary")
		return "waiting for the old primary's lease to run out (" + text(lease, "lease_ms") +
		       " ms after the promotion)";
	if (state == "fenced")
		return "FENCED: this copy serves nothing" + why;
	return "LAPSED: not serving (last confirmed " + ago + why + ")";
}

} // namespace

std::string human_size(std::uint64_t bytes)
{
	constexpr const char* units[] = {"TiB", "GiB", "MiB", "KiB"};
	constexpr unsigned shifts[] = {40, 30, 20, 10};
	for (std::size_t i = 0; i < 4; ++i) {
		const std::uint64_t unit = std::uint64_t{1} << shifts[i];
		if (bytes < unit)
			continue;
		if (bytes % unit == 0)
			return std::to_string(bytes >> shifts[i]) + " " + units[i];
		char buf[32];
		std::snprintf(buf, sizeof buf, "%.1f %s", static_cast<double>(bytes) / unit, units[i]);
		return buf;
	}
	return std::to_string(bytes) + " B";
}

std::string render_pool_list(const Json& result)
{
	const Json& pools = member_or_null(result, "pools");
	if (!pools.is_array() || pools.empty())
		return "no pools (cache_disks is empty in hpsd's config)\n";
	ColumnTable table({"ID", "DEVICE", "DM DEVICE", "STATE", "BLOCKS", "USED", "DIRTY", "VOLUMES"});
	std::string errors;
	for (const auto& pool : pools) {
		table.add({text(pool, "id"), text(pool, "device"), text(pool, "dm_device"), pool_state(pool),
			   text(pool, "total_blocks"), text(pool, "used_blocks"),
			   text(pool, "dirty_blocks"), names(member_or_null(pool, "volumes"))});
		if (member_or_null(pool, "error").is_string())
			errors += "pool " + text(pool, "id") + ": " + text(pool, "error") + "\n";
	}
	return table.str() + errors;
}

std::string render_pool(const Json& pool)
{
	KeyValueTable table;
	table.add("id", text(pool, "id"));
	table.add("device", text(pool, "device"));
	table.add("dm device", text(pool, "dm_device"));
	table.add("state", pool_state(pool));
	table.add("brought up", text(pool, "origin"));
	if (member_or_null(pool, "error").is_string())
		table.add("error", text(pool, "error"));
	table.add("uuid", text(pool, "uuid"));
	table.add("block sectors", text(pool, "block_sectors"));
	table.add("total blocks", text(pool, "total_blocks"));
	table.add("used blocks", text(pool, "used_blocks"));
	table.add("dirty blocks", text(pool, "dirty_blocks"));
	table.add("index memory", size_text(pool, "index_bytes"));
	table.add("volumes", names(member_or_null(pool, "volumes")));
	table.add("abi", text(pool, "abi_version"));
	return table.str();
}

std::string render_volume_list(const Json& result)
{
	const Json& volumes = member_or_null(result, "volumes");
	if (!volumes.is_array() || volumes.empty())
		return "no volumes\n";
	ColumnTable table({"NAME", "ID", "POOL", "SIZE", "DEVICE", "STATE", "DIRTY"});
	std::string errors;
	for (const auto& v : volumes) {
		std::string dirty = text(member_or_null(v, "status"), "dirty_blocks");
		if (member_or_null(v, "flushing") == true)
			dirty += " (flushing)";
		table.add({text(v, "name"), text(v, "id"), text(v, "pool_id"), size_text(v, "size_bytes"),
			   text(v, "device"), volume_state(v), dirty});
		if (member_or_null(v, "error").is_string())
			errors += "volume " + text(v, "name") + ": " + text(v, "error") + "\n";
	}
	return table.str() + errors;
}

std::string render_volume(const Json& v)
{
	KeyValueTable table;
	table.add("name", text(v, "name"));
	table.add("id", text(v, "id"));
	table.add("pool", text(v, "pool_id"));
	table.add("size", size_text(v, "size_bytes") + " (" + text(v, "size_bytes") + " bytes)");
	table.add("image", text(v, "image"));
	table.add("device", text(v, "device"));
	table.add("state", volume_state(v));
	if (member_or_null(v, "error").is_string())
		table.add("error", text(v, "error"));
	if (member_or_null(v, "peer").is_string())
		table.add("replica", replica_text(v));
	if (const Json& lease = member_or_null(member_or_null(v, "replica"), "lease"); lease.is_object())
		table.add("lease", lease_text(lease));
	for (auto& [key, value] : volume_export_rows(v))
		table.add(std::move(key), std::move(value));
	const Json& flush = member_or_null(v, "flush");
	if (flush.is_object()) {
		std::string line = "running for " + text(flush, "elapsed_s") + " s, " +
				   text(flush, "blocks_cleaned") + " blocks written back";
		if (member_or_null(flush, "backing_off") == true)
			line += ", backing off (" + text(flush, "last_error") + ")";
		table.add("flush", line);
	}
	const Json& s = member_or_null(v, "status");
	if (s.is_object()) {
		table.add("role", text(s, "role"));
		table.add("cache mode", text(s, "mode"));
		const char* counters[] = {"cached_blocks", "dirty_blocks", "reads",	    "read_hits",
					  "read_misses",   "writes",	   "write_through", "flushes",
					  "discards",	   "errors"};
		for (const char* key : counters) {
			// A counter this kernel does not report is left out.
			if (!s.contains(key) || s.at(key).is_null())
				continue;
			std::string label = key;
			for (auto& c : label)
				if (c == '_')
					c = ' ';
			table.add(label, text(s, key));
		}
	}
	return table.str();
}

std::string render_volume_created(const Json& result)
{
	const Json& v = member_or_null(result, "volume");
	const bool created = member_or_null(result, "created") == true;
	std::string line = created ? "created volume " : "volume ";
	line += text(v, "name") + (created ? "" : " exists already with this size") + ": id " +
		text(v, "id") + ", pool " + text(v, "pool_id") + ", " + size_text(v, "size_bytes") +
		", " + text(v, "device");
	if (created)
		line += member_or_null(result, "image_created") == true
				? " (new RBD image " + text(v, "image") + ")"
				: " (existing RBD image " + text(v, "image") + ")";
	return line + "\n";
}

std::string render_volume_deleted(const Json& result)
{
	std::string line = "deleted volume " + text(result, "deleted") + " (id " + text(result, "id") + ")";
	line += member_or_null(result, "image_deleted") == true
			? "; RBD image " + text(result, "image") + " removed"
			: "; RBD image " + text(result, "image") + " kept";
	const Json& dirty = member_or_null(result, "dirty_blocks_discarded");
	if (dirty.is_number_unsigned() && dirty.get<std::uint64_t>() > 0)
		line += "; " + dirty.dump() + " dirty blocks discarded";
	if (member_or_null(result, "pool_release_error").is_string())
		line += "\nwarning: " + text(result, "pool_release_error") +
			" (hpsd retries; the pool keeps the volume's blocks meanwhile)";
	return line + "\n";
}

std::string render_volume_flush(const Json& result)
{
	const Json& dirty = member_or_null(result, "dirty_blocks");
	if (!dirty.is_number_unsigned() || dirty.get<std::uint64_t>() == 0)
		return "volume " + text(result, "name") + " has no dirty blocks\n";
	std::string line = "flushing volume " + text(result, "name") + ": " + dirty.dump() +
			   " dirty blocks";
	if (member_or_null(result, "flushing") != true)
		line += " (no drain running)";
	return line + "\n";
}

std::string render_volume_promoted(const Json& result)
{
	const Json& volume = member_or_null(result, "volume");
	const std::string name = text(volume, "name");
	if (member_or_null(result, "promoted") != true)
		return "volume " + name + ": this node is already its primary\n";
	std::string line = "promoted volume " + name + ": this node is its primary";
	if (member_or_null(result, "fenced_node").is_string()) {
		line += "; fenced " + text(result, "fenced_node");
		const Json& addrs = member_or_null(result, "fenced_addresses");
		if (addrs.is_array() && !addrs.empty()) {
			line += " (Ceph clients blocklisted:";
			for (const auto& a : addrs)
				line += " " + (a.is_string() ? a.get<std::string>() : std::string("?"));
			line += ")";
		}
	}
	return line + "\n";
}

} // namespace hpsctl
