// SPDX-License-Identifier: GPL-2.0-only
// parse_config(): JSON text -> Config, collecting every error rather than
// stopping at the first, so an operator fixes the file in one pass.
#include "config/config.hpp"

#include "util/json_text.hpp"
#include "util/unix_socket.hpp"

#include <arpa/inet.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <optional>
#include <span>
#include <utility>

namespace hpsd {
namespace {

using Json = nlohmann::json;
using hps::describe_value;

constexpr std::uint64_t max_replica_timeout_s = 365ULL * 24 * 3600;

class Errors {
public:
	void add(std::string field, std::string message)
	{
		list_.push_back({std::move(field), std::move(message)});
	}
	bool empty() const noexcept { return list_.empty(); }
	std::vector<ConfigError> take() && { return std::move(list_); }

private:
	std::vector<ConfigError> list_;
};

std::string join(std::string_view parent, std::string_view key)
{
	return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

// A field's parser: gets the field's value and its path for messages.
using FieldParser = std::function<void(const Json& value, const std::string& path)>;
struct FieldSpec {
	std::string_view key;
	FieldParser parse;
};

// Dispatches each member of the object `value` to its field's parser;
// members no spec names are errors.
void parse_object(Errors& errors, const Json& value, std::string_view path,
		  std::span<const FieldSpec> fields)
{
	if (!value.is_object()) {
		errors.add(std::string(path), describe_value(value) + " is not an object");
		return;
	}
	for (auto it = value.begin(); it != value.end(); ++it) {
		auto spec = std::find_if(fields.begin(), fields.end(),
					 [&](const FieldSpec& f) { return f.key == it.key(); });
		if (spec == fields.end()) {
			std::string known;
			for (const auto& f : fields)
				known += (known.empty() ? "" : ", ") + std::string(f.key);
			errors.add(join(path, it.key()), "unknown field (known here: " + known + ")");
			continue;
		}
		spec->parse(it.value(), join(path, it.key()));
	}
}

std::optional<std::string> get_string(Errors& errors, const Json& value, const std::string& path)
{
	if (!value.is_string()) {
		errors.add(path, describe_value(value) + " is not a string");
		return std::nullopt;
	}
	auto text = value.get<std::string>();
	if (std::any_of(text.begin(), text.end(),
			[](char c) { return std::iscntrl(static_cast<unsigned char>(c)); })) {
		errors.add(path, describe_value(value) + " contains a control character");
		return std::nullopt;
	}
	if (text.empty()) {
		errors.add(path, "\"\" is empty");
		return std::nullopt;
	}
	return text;
}

std::optional<std::string> get_absolute_path(Errors& errors, const Json& value,
					     const std::string& path)
{
	auto text = get_string(errors, value, path);
	if (text && !text->starts_with('/')) {
		errors.add(path, describe_value(value) + " is not an absolute path");
		return std::nullopt;
	}
	return text;
}

std::optional<std::uint64_t> get_integer(Errors& errors, const Json& value, const std::string& path,
					 std::uint64_t min, std::uint64_t max,
					 std::string_view note = {})
{
	if (!value.is_number_integer()) {
		errors.add(path, describe_value(value) + " is not an integer");
		return std::nullopt;
	}
	bool in_range = value.is_number_unsigned() && value.get<std::uint64_t>() >= min &&
			value.get<std::uint64_t>() <= max;
	if (!in_range) {
		errors.add(path, describe_value(value) + " is out of range " + std::to_string(min) +
					 ".." + std::to_string(max) + std::string(note));
		return std::nullopt;
	}
	return value.get<std::uint64_t>();
}

// The parser of an integer field that fits `out`.
FieldParser unsigned_field(Errors& errors, unsigned& out, unsigned min, unsigned max,
			   std::string_view note = {})
{
	return [&errors, &out, min, max, note](const Json& v, const std::string& p) {
		if (auto n = get_integer(errors, v, p, min, max, note))
			out = static_cast<unsigned>(*n);
	};
}

// Maps a string field onto one of `choices`.
template <class Enum, std::size_t N>
std::optional<Enum> get_choice(Errors& errors, const Json& value, const std::string& path,
			       const std::array<std::pair<std::string_view, Enum>, N>& choices)
{
	auto text = value.is_string() ? std::optional(value.get<std::string>()) : std::nullopt;
	for (const auto& [name, choice] : choices)
		if (text && *text == name)
			return choice;
	std::string names;
	for (const auto& [name, choice] : choices)
		names += (names.empty() ? "" : ", ") + std::string(name);
	errors.add(path, describe_value(value) + " is not one of " + names);
	return std::nullopt;
}

constexpr std::array<std::pair<std::string_view, LogLevel>, 4> log_levels{{
	{"error", LogLevel::error},
	{"warn", LogLevel::warn},
	{"info", LogLevel::info},
	{"debug", LogLevel::debug},
}};

constexpr std::array<std::pair<std::string_view, Transport>, 2> transports{{
	{"tcp", Transport::tcp},
	{"rdma", Transport::rdma},
}};

bool is_node_name(std::string_view name)
{
	return !name.empty() && name.size() <= max_node_name_chars &&
	       std::all_of(name.begin(), name.end(), [](char c) {
		       return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
			      c == '_';
	       });
}

void parse_cache_disks(Errors& errors, const Json& value, const std::string& path,
		       std::vector<std::string>& out)
{
	if (!value.is_array()) {
		errors.add(path, describe_value(value) + " is not an array");
		return;
	}
	if (value.size() > max_cache_disks) {
		errors.add(path, std::to_string(value.size()) + " disks listed, at most " +
					 std::to_string(max_cache_disks) + " are supported");
		return;
	}
	std::vector<std::string> disks;
	for (std::size_t i = 0; i < value.size(); ++i) {
		std::string item_path = path + "[" + std::to_string(i) + "]";
		auto disk = get_string(errors, value[i], item_path);
		if (!disk)
			continue;
		if (!disk->starts_with("/dev/") || disk->size() <= 5 ||
		    disk->find("/../") != std::string::npos) {
			errors.add(item_path, describe_value(value[i]) + " is not a device path under /dev/");
			continue;
		}
		if (std::find(disks.begin(), disks.end(), *disk) != disks.end()) {
			errors.add(item_path, describe_value(value[i]) + " is listed twice");
			continue;
		}
		disks.push_back(*disk);
	}
	out = std::move(disks);
}

void parse_ceph(Errors& errors, const Json& value, const std::string& path, CephConfig& ceph)
{
	const FieldSpec fields[] = {
		{"conf",
		 [&](const Json& v, const std::string& p) {
			 if (auto s = get_absolute_path(errors, v, p))
				 ceph.conf = *s;
		 }},
		{"pool",
		 [&](const Json& v, const std::string& p) {
			 if (auto s = get_string(errors, v, p))
				 ceph.pool = *s;
		 }},
		{"client",
		 [&](const Json& v, const std::string& p) {
			 auto s = get_string(errors, v, p);
			 // librados wants the id alone and adds "client." itself.
			 if (s && s->starts_with("client."))
				 errors.add(p, describe_value(v) +
						       " must be the client id without \"client.\" (e.g. \"admin\")");
			 else if (s)
				 ceph.client = *s;
		 }},
	};
	parse_object(errors, value, path, fields);
}

// A string `parse` turns into a value (an address, a UUID); its error
// completes a sentence about the string.
template <class Parse>
auto get_parsed(Errors& errors, const Json& value, const std::string& path, Parse parse)
	-> std::optional<std::decay_t<decltype(*parse(std::string_view()))>>
{
	auto s = get_string(errors, value, path);
	if (!s)
		return std::nullopt;
	auto parsed = parse(*s);
	if (!parsed) {
		errors.add(path, describe_value(value) + " " + parsed.error());
		return std::nullopt;
	}
	return *parsed;
}

void parse_peer(Errors& errors, const Json& value, const std::string& path, ReplicationPeer& peer)
{
	bool has_node = false, has_address = false;
	const FieldSpec fields[] = {
		{"node",
		 [&](const Json& v, const std::string& p) {
			 has_node = true;
			 auto s = get_string(errors, v, p);
			 if (s && !is_node_name(*s))
				 errors.add(p, describe_value(v) + " is not a node name");
			 else if (s)
				 peer.node = *s;
		 }},
		{"address",
		 [&](const Json& v, const std::string& p) {
			 has_address = true;
			 if (auto a = get_parsed(errors, v, p, parse_listen_address))
				 peer.address = *a;
		 }},
	};
	parse_object(errors, value, path, fields);
	if (!value.is_object())
		return;
	if (!has_node)
		errors.add(join(path, "node"), "is missing (a peer needs node and address)");
	if (!has_address)
		errors.add(join(path, "address"), "is missing (a peer needs node and address)");
}

void parse_peers(Errors& errors, const Json& value, const std::string& path,
		 std::vector<ReplicationPeer>& out)
{
	if (!value.is_array()) {
		errors.add(path, describe_value(value) + " is not an array");
		return;
	}
	if (value.size() > max_replication_peers) {
		errors.add(path, std::to_string(value.size()) + " peers listed, at most " +
					 std::to_string(max_replication_peers));
		return;
	}
	std::vector<ReplicationPeer> peers;
	for (std::size_t i = 0; i < value.size(); ++i) {
		const std::string item_path = path + "[" + std::to_string(i) + "]";
		ReplicationPeer peer;
		parse_peer(errors, value[i], item_path, peer);
		if (peer.node.empty() || peer.address.host.empty())
			continue;
		auto same = [&](auto member) {
			return std::any_of(peers.begin(), peers.end(),
					   [&](const ReplicationPeer& p) { return p.*member == peer.*member; });
		};
		if (same(&ReplicationPeer::node))
			errors.add(item_path + ".node", describe_value(value[i]["node"]) + " is listed twice");
		else if (same(&ReplicationPeer::address))
			errors.add(item_path + ".address",
				   describe_value(value[i]["address"]) + " is listed twice");
		else
			peers.push_back(std::move(peer));
	}
	out = std::move(peers);
}

void parse_replication(Errors& errors, const Json& value, const std::string& path,
		       ReplicationConfig& replication)
{
	const FieldSpec fields[] = {
		{"transport",
		 [&](const Json& v, const std::string& p) {
			 if (auto t = get_choice(errors, v, p, transports))
				 replication.transport = *t;
		 }},
		{"listen",
		 [&](const Json& v, const std::string& p) {
			 if (auto a = get_parsed(errors, v, p, parse_listen_address))
				 replication.listen = *a;
		 }},
		{"cluster_id",
		 [&](const Json& v, const std::string& p) {
			 if (auto id = get_parsed(errors, v, p, parse_cluster_id))
				 replication.cluster_id = *id;
		 }},
		{"secret_file",
		 [&](const Json& v, const std::string& p) {
			 if (auto s = get_absolute_path(errors, v, p))
				 replication.secret_file = *s;
		 }},
		{"peers",
		 [&](const Json& v, const std::string& p) {
			 parse_peers(errors, v, p, replication.peers);
		 }},
		{"keepalive_ms",
		 unsigned_field(errors, replication.keepalive_ms, min_keepalive_ms, max_keepalive_ms)},
		{"peer_timeout_ms",
		 unsigned_field(errors, replication.peer_timeout_ms, min_peer_timeout_ms, max_peer_timeout_ms)},
		{"lease_ms", unsigned_field(errors, replication.lease_ms, min_lease_ms, max_lease_ms)},
	};
	parse_object(errors, value, path, fields);
}

// What no single field shows: a peer named like this node, peers without
// a cluster id, a timeout that keepalive cannot meet.  Checked once every
// field parsed, so a mistake gives one error, not two.
void check_replication(Errors& errors, const Config& config)
{
	const ReplicationConfig& r = config.replication;
	for (std::size_t i = 0; i < r.peers.size(); ++i)
		if (r.peers[i].node == config.node_name)
			errors.add("replication.peers[" + std::to_string(i) + "].node",
				   describe_value(Json(r.peers[i].node)) + " is this node's own node_name");
	if (!r.peers.empty() && !r.cluster_id)
		errors.add("replication.cluster_id", "is missing; replication.peers needs it");
	// A peer gets a PING at least every keepalive_ms; allowing it less than
	// two of them would declare a live peer lost after one delayed PONG.
	if (r.peer_timeout_ms < 2 * r.keepalive_ms)
		errors.add("replication.peer_timeout_ms",
			   std::to_string(r.peer_timeout_ms) + " is less than twice replication.keepalive_ms (" +
				   std::to_string(r.keepalive_ms) + ")");
}

bool is_ip_address(const std::string& text)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return ::inet_pton(AF_INET, text.c_str(), buf) == 1 ||
	       ::inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

// nvmet and LIO bind an address, never a name: one they cannot resolve
// would fail at apply time, not here.
std::optional<std::string> get_ip_address(Errors& errors, const Json& value, const std::string& path)
{
	auto s = get_string(errors, value, path);
	if (s && !is_ip_address(*s)) {
		errors.add(path, describe_value(value) +
					 " is not an IPv4 or IPv6 address (no brackets, no port)");
		return std::nullopt;
	}
	return s;
}

// An array of at most max_export_ports items, each parsed by `parse_item`
// (which leaves an item's address empty when it is unusable), none twice.
template <class Item, class ParseItem, class Describe>
void parse_address_list(Errors& errors, const Json& value, const std::string& path,
			ParseItem parse_item, Describe describe, std::vector<Item>& out)
{
	if (!value.is_array()) {
		errors.add(path, describe_value(value) + " is not an array");
		return;
	}
	if (value.size() > max_export_ports) {
		errors.add(path, std::to_string(value.size()) + " ports listed, at most " +
					 std::to_string(max_export_ports));
		return;
	}
	std::vector<Item> items;
	for (std::size_t i = 0; i < value.size(); ++i) {
		const std::string item_path = path + "[" + std::to_string(i) + "]";
		Item item;
		parse_item(errors, value[i], item_path, item);
		if (item.address.empty())
			continue;
		if (std::find(items.begin(), items.end(), item) != items.end())
			errors.add(item_path, describe(item) + " is listed twice");
		else
			items.push_back(std::move(item));
	}
	out = std::move(items);
}

void parse_export_port(Errors& errors, const Json& value, const std::string& path,
		       NvmeExportPort& port)
{
	bool has_transport = false, has_address = false;
	const FieldSpec fields[] = {
		{"transport",
		 [&](const Json& v, const std::string& p) {
			 has_transport = true;
			 if (auto t = get_choice(errors, v, p, transports))
				 port.transport = *t;
		 }},
		{"address",
		 [&](const Json& v, const std::string& p) {
			 has_address = true;
			 if (auto s = get_ip_address(errors, v, p))
				 port.address = *s;
		 }},
		{"service",
		 [&](const Json& v, const std::string& p) {
			 if (auto n = get_integer(errors, v, p, 1, 65535))
				 port.service = static_cast<std::uint16_t>(*n);
		 }},
	};
	parse_object(errors, value, path, fields);
	if (!value.is_object())
		return;
	if (!has_transport)
		errors.add(join(path, "transport"), "is missing (a port needs transport and address)");
	if (!has_address)
		errors.add(join(path, "address"), "is missing (a port needs transport and address)");
}

void parse_export_ports(Errors& errors, const Json& value, const std::string& path,
			std::vector<NvmeExportPort>& out)
{
	parse_address_list(
		errors, value, path, parse_export_port,
		[](const NvmeExportPort& port) {
			return std::string(to_string(port.transport)) + " " + port.address + " service " +
			       std::to_string(port.service);
		},
		out);
}

void parse_iscsi_portal(Errors& errors, const Json& value, const std::string& path,
			IscsiPortal& portal)
{
	bool has_address = false;
	const FieldSpec fields[] = {
		{"address",
		 [&](const Json& v, const std::string& p) {
			 has_address = true;
			 if (auto s = get_ip_address(errors, v, p))
				 portal.address = *s;
		 }},
		{"port",
		 [&](const Json& v, const std::string& p) {
			 if (auto n = get_integer(errors, v, p, 1, 65535))
				 portal.port = static_cast<std::uint16_t>(*n);
		 }},
	};
	parse_object(errors, value, path, fields);
	if (value.is_object() && !has_address)
		errors.add(join(path, "address"), "is missing (a portal needs an address)");
}

void parse_peer_tpg_tags(Errors& errors, const Json& value, const std::string& path,
			 std::map<std::string, std::uint16_t>& out)
{
	if (!value.is_object()) {
		errors.add(path, describe_value(value) + " is not an object");
		return;
	}
	for (auto it = value.begin(); it != value.end(); ++it)
		if (auto n = get_integer(errors, it.value(), join(path, it.key()), 1, 65535))
			out[it.key()] = static_cast<std::uint16_t>(*n);
}

void parse_iscsi_export(Errors& errors, const Json& value, const std::string& path,
			IscsiExportConfig& iscsi)
{
	const FieldSpec fields[] = {
		{"portals",
		 [&](const Json& v, const std::string& p) {
			 parse_address_list(
				 errors, v, p, parse_iscsi_portal,
				 [](const IscsiPortal& portal) {
					 return portal.address + " port " + std::to_string(portal.port);
				 },
				 iscsi.portals);
		 }},
		{"tpg_tag",
		 [&](const Json& v, const std::string& p) {
			 if (auto n = get_integer(errors, v, p, 1, 65535))
				 iscsi.tpg_tag = static_cast<std::uint16_t>(*n);
		 }},
		{"peer_tpg_tags",
		 [&](const Json& v, const std::string& p) {
			 parse_peer_tpg_tags(errors, v, p, iscsi.peer_tpg_tags);
		 }},
		{"iblock_hba",
		 [&](const Json& v, const std::string& p) {
			 if (auto n = get_integer(errors, v, p, 0, 0xffffffffULL))
				 iscsi.iblock_hba = static_cast<std::uint32_t>(*n);
		 }},
		{"configfs",
		 [&](const Json& v, const std::string& p) {
			 if (auto s = get_absolute_path(errors, v, p))
				 iscsi.configfs = *s;
		 }},
	};
	parse_object(errors, value, path, fields);
}

void parse_nvme_export(Errors& errors, const Json& value, const std::string& path,
		       NvmeExportConfig& nvme)
{
	auto u16 = [&errors](std::uint16_t& out, std::uint64_t min, std::uint64_t max) -> FieldParser {
		return [&errors, &out, min, max](const Json& v, const std::string& p) {
			if (auto n = get_integer(errors, v, p, min, max))
				out = static_cast<std::uint16_t>(*n);
		};
	};
	const FieldSpec port_id_fields[] = {
		{"first", u16(nvme.port_id_first, 1, 65535)},
		{"last", u16(nvme.port_id_last, 1, 65535)},
	};
	const FieldSpec fields[] = {
		{"ports",
		 [&](const Json& v, const std::string& p) {
			 parse_export_ports(errors, v, p, nvme.ports);
		 }},
		{"port_ids",
		 [&](const Json& v, const std::string& p) {
			 parse_object(errors, v, p, port_id_fields);
		 }},
		{"cntlid_min", u16(nvme.cntlid_min, 1, max_cntlid)},
		{"cntlid_max", u16(nvme.cntlid_max, 1, max_cntlid)},
		{"configfs",
		 [&](const Json& v, const std::string& p) {
			 if (auto s = get_absolute_path(errors, v, p))
				 nvme.configfs = *s;
		 }},
	};
	parse_object(errors, value, path, fields);
}

void parse_export(Errors& errors, const Json& value, const std::string& path, ExportConfig& out)
{
	const FieldSpec fields[] = {
		{"nvme",
		 [&](const Json& v, const std::string& p) {
			 NvmeExportConfig nvme;
			 parse_nvme_export(errors, v, p, nvme);
			 out.nvme = std::move(nvme);
		 }},
		{"iscsi",
		 [&](const Json& v, const std::string& p) {
			 IscsiExportConfig iscsi;
			 parse_iscsi_export(errors, v, p, iscsi);
			 out.iscsi = std::move(iscsi);
		 }},
	};
	parse_object(errors, value, path, fields);
}

// export.nvme's rules across fields (once every field parsed).
void check_iscsi_export(Errors& errors, const Config& config)
{
	const IscsiExportConfig& i = *config.exports.iscsi;
	for (const auto& [node, tag] : i.peer_tpg_tags)
		if (tag == i.tpg_tag)
			errors.add("export.iscsi.peer_tpg_tags." + node,
				   std::to_string(tag) +
					   " is export.iscsi.tpg_tag too (every node needs its own tag)");
	if (config.exports.nvme && config.exports.nvme->configfs != i.configfs)
		errors.add("export.iscsi.configfs",
			   "\"" + i.configfs + "\" differs from export.nvme.configfs (\"" +
				   config.exports.nvme->configfs + "\"): both exports use one configfs");
	// Unit serials derive from the cluster id, so that every node exports
	// a volume as the same SCSI device.
	if (!config.replication.cluster_id)
		errors.add("replication.cluster_id",
			   "is missing; export.iscsi needs it (unit serials derive from it)");
}

void check_export(Errors& errors, const Config& config)
{
	if (config.exports.iscsi)
		check_iscsi_export(errors, config);
	if (!config.exports.nvme)
		return;
	const NvmeExportConfig& n = *config.exports.nvme;
	if (n.port_id_first > n.port_id_last)
		errors.add("export.nvme.port_ids",
			   std::to_string(n.port_id_first) + ".." + std::to_string(n.port_id_last) +
				   " is an empty range (first is above last)");
	else if (n.ports.size() > std::size_t{n.port_id_last} - n.port_id_first + 1)
		errors.add("export.nvme.ports",
			   std::to_string(n.ports.size()) + " ports listed, more than the " +
				   std::to_string(n.port_id_last - n.port_id_first + 1) +
				   " ids of export.nvme.port_ids");
	if (n.cntlid_min > n.cntlid_max)
		errors.add("export.nvme.cntlid_min",
			   std::to_string(n.cntlid_min) + " is above export.nvme.cntlid_max (" +
				   std::to_string(n.cntlid_max) + ")");
	// Serial numbers and namespace UUIDs derive from the cluster id, so
	// that every node exports a volume as the same namespace.
	if (!config.replication.cluster_id)
		errors.add("replication.cluster_id",
			   "is missing; export.nvme needs it (namespace serials and UUIDs derive from it)");
}

} // namespace

std::string_view to_string(LogLevel level) noexcept
{
	for (const auto& [name, value] : log_levels)
		if (value == level)
			return name;
	return "info";
}

std::string_view to_string(Transport transport) noexcept
{
	for (const auto& [name, value] : transports)
		if (value == transport)
			return name;
	return "tcp";
}

std::string to_string(const ConfigError& error)
{
	if (error.field.empty())
		return error.message;
	return "field " + describe_value(Json(error.field)) + ": " + error.message;
}

hps::Result<Config, std::vector<ConfigError>> parse_config(std::string_view text,
							    std::string_view default_node_name)
{
	Json doc;
	try {
		doc = Json::parse(text);
	} catch (const Json::parse_error& e) {
		return hps::fail(std::vector<ConfigError>{{"", "invalid JSON: " + hps::json_error_text(e)}});
	}
	if (!doc.is_object())
		return hps::fail(std::vector<ConfigError>{
			{"", "the document must be a JSON object, not " + describe_value(doc)}});

	Config config;
	config.node_name = default_node_name;
	Errors errors;

	const FieldSpec fields[] = {
		{"node_name",
		 [&](const Json& v, const std::string& p) {
			 auto s = get_string(errors, v, p);
			 if (s && !is_node_name(*s))
				 errors.add(p, describe_value(v) +
						       " is not a node name (1.." +
						       std::to_string(max_node_name_chars) +
						       " letters, digits, '.', '-', '_')");
			 else if (s)
				 config.node_name = *s;
		 }},
		{"control_socket",
		 [&](const Json& v, const std::string& p) {
			 auto s = get_absolute_path(errors, v, p);
			 if (s && s->size() > hps::unix_path_max())
				 errors.add(p, describe_value(v) + " is longer than " +
						       std::to_string(hps::unix_path_max()) +
						       " bytes, the limit of a UNIX socket path");
			 else if (s && s->ends_with('/'))
				 errors.add(p, describe_value(v) + " names a directory, not a socket");
			 else if (s)
				 config.control_socket = *s;
		 }},
		{"state_dir",
		 [&](const Json& v, const std::string& p) {
			 if (auto s = get_absolute_path(errors, v, p))
				 config.state_dir = *s;
		 }},
		{"log_level",
		 [&](const Json& v, const std::string& p) {
			 if (auto level = get_choice(errors, v, p, log_levels))
				 config.log_level = *level;
		 }},
		{"ceph", [&](const Json& v, const std::string& p) { parse_ceph(errors, v, p, config.ceph); }},
		{"cache_disks",
		 [&](const Json& v, const std::string& p) {
			 parse_cache_disks(errors, v, p, config.cache_disks);
		 }},
		{"partitions_per_disk", unsigned_field(errors, config.partitions_per_disk, 1, max_partitions_per_disk)},
		{"replica_timeout_s",
		 [&](const Json& v, const std::string& p) {
			 if (auto n = get_integer(errors, v, p, min_replica_timeout_s, max_replica_timeout_s))
				 config.replica_timeout_s = *n;
		 }},
		{"recovery_bandwidth_mbps",
		 unsigned_field(errors, config.recovery_bandwidth_mbps, 0, max_recovery_bandwidth_mbps,
				" (0 means unlimited)")},
		{"flush_bandwidth_mbps",
		 unsigned_field(errors, config.flush_bandwidth_mbps, 0, max_flush_bandwidth_mbps,
				" (0 means unlimited)")},
		{"replication",
		 [&](const Json& v, const std::string& p) {
			 parse_replication(errors, v, p, config.replication);
		 }},
		{"export",
		 [&](const Json& v, const std::string& p) { parse_export(errors, v, p, config.exports); }},
	};
	parse_object(errors, doc, "", fields);
	if (errors.empty())
		check_replication(errors, config);
	if (errors.empty())
		check_export(errors, config);

	if (!errors.empty())
		return hps::fail(std::move(errors).take());
	return config;
}

} // namespace hpsd
