// SPDX-License-Identifier: GPL-2.0-only
// hpsd's configuration (/etc/hps/hpsd.json), field by field, with the
// defaults that apply when a field is left out.  daemon/CONFIG.md is the
// reference for operators; keep the two in step.
#pragma once

#include "config/cluster_id.hpp"
#include "config/listen_address.hpp"
#include "util/result.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hpsd {

enum class LogLevel { error, warn, info, debug };
enum class Transport { tcp, rdma };

std::string_view to_string(LogLevel level) noexcept;
std::string_view to_string(Transport transport) noexcept;

struct CephConfig {
	std::string conf = "/etc/ceph/ceph.conf";
	std::string pool = "rbd";
	std::string client = "admin"; // the "admin" of client.admin
};

// Another hpsd this node replicates with.
struct ReplicationPeer {
	std::string node; // its node_name, which its handshake must show
	ListenAddress address;

	bool operator==(const ReplicationPeer&) const = default;
};

struct ReplicationConfig {
	Transport transport = Transport::tcp;
	ListenAddress listen{"0.0.0.0", 7790};
	std::optional<ClusterUuid> cluster_id; // required once peers are listed
	std::string secret_file = "/etc/hps/cluster.secret";
	std::vector<ReplicationPeer> peers;
	unsigned keepalive_ms = 1000;	 // PING after this long without sending
	unsigned peer_timeout_ms = 5000; // a peer silent this long is lost
	// A replicated primary serves only this long after it last confirmed
	// in Ceph that it owns the volume (kmod/FORMAT.md, "Ownership lease").
	unsigned lease_ms = 10000;
};

// One listening address of nvmet on this node (an IP plane).
struct NvmeExportPort {
	Transport transport = Transport::tcp;
	std::string address;	    // an IPv4 or IPv6 address, no brackets
	std::uint16_t service = 4420; // the TCP port / RDMA service id

	bool operator==(const NvmeExportPort&) const = default;
};

// export.nvme: NVMe-oF export through nvmet (daemon/CONFIG.md, "Export").
// The defaults are the nvmet writer's (export/nvmet_state.hpp); the config
// library does not depend on it, so a unit test keeps the two in step.
struct NvmeExportConfig {
	std::vector<NvmeExportPort> ports;
	std::uint16_t port_id_first = 8400; // nvmet ports/<id> hps owns
	std::uint16_t port_id_last = 8499;
	// The controller ids this node hands out: nodes exporting the same
	// volume need disjoint ranges, or a host refuses the second path.
	std::uint16_t cntlid_min = 1;
	std::uint16_t cntlid_max = 0xffef;
	std::string configfs = "/sys/kernel/config";
};

// One iSCSI portal of this node (an IP plane).
struct IscsiPortal {
	std::string address; // an IPv4 or IPv6 address, no brackets
	std::uint16_t port = 3260;

	bool operator==(const IscsiPortal&) const = default;
};

// export.iscsi: iSCSI export through LIO (daemon/CONFIG.md, "Export").
// The defaults are the LIO writer's (export/lio_state.hpp).
struct IscsiExportConfig {
	std::vector<IscsiPortal> portals;
	// This node's TPG in every volume's target, and its ALUA group id:
	// distinct per node.
	std::uint16_t tpg_tag = 1;
	// The other nodes' tags, by node name (replication peer names), so
	// that every path reports both nodes' ALUA groups.
	std::map<std::string, std::uint16_t> peer_tpg_tags;
	// core/iblock_<n>: the HBA hps owns for its backstores.
	std::uint32_t iblock_hba = 8400;
	std::string configfs = "/sys/kernel/config";
};

struct ExportConfig {
	// Absent: that export is off and hpsd touches none of its objects in
	// configfs.  Either can be on without the other.
	std::optional<NvmeExportConfig> nvme;
	std::optional<IscsiExportConfig> iscsi;
};

struct Config {
	std::string node_name; // default: the host name, supplied by the caller
	std::string control_socket = "/run/hps/hpsd.sock";
	std::string state_dir = "/var/lib/hps";
	LogLevel log_level = LogLevel::info;
	CephConfig ceph;
	std::vector<std::string> cache_disks;
	unsigned partitions_per_disk = 1;
	std::uint64_t replica_timeout_s = 172800; // 48 h
	unsigned recovery_bandwidth_mbps = 0;	  // 0: unlimited
	unsigned flush_bandwidth_mbps = 0;	  // 0: unlimited
	ReplicationConfig replication;
	ExportConfig exports; // "export" in the file (a C++ keyword here)
};

// Limits the parser enforces; named so tests and docs can refer to them.
inline constexpr std::size_t max_cache_disks = 2;
inline constexpr unsigned max_partitions_per_disk = 4;
inline constexpr std::uint64_t min_replica_timeout_s = 60;
inline constexpr unsigned max_recovery_bandwidth_mbps = 2048;
inline constexpr unsigned max_flush_bandwidth_mbps = 1048576; // 1 TB/s: catches typos
inline constexpr std::size_t max_node_name_chars = 63;
inline constexpr std::size_t max_replication_peers = 255;
inline constexpr unsigned min_keepalive_ms = 100;
inline constexpr unsigned max_keepalive_ms = 60000;
inline constexpr unsigned min_peer_timeout_ms = 200;
inline constexpr unsigned max_peer_timeout_ms = 600000;
inline constexpr unsigned min_lease_ms = 2000;
inline constexpr unsigned max_lease_ms = 600000; // HPS_LEASE_MAX_MS
inline constexpr std::size_t max_export_ports = 16;
inline constexpr unsigned max_cntlid = 0xffef; // NVME_CNTLID_MAX

// One problem with the config.  `field` is the path of the offending field
// ("replication.transport", "cache_disks[1]"), empty for the document itself.
struct ConfigError {
	std::string field;
	std::string message;
};

// One line: `field "replication.transport": "udp" is not one of tcp, rdma`.
std::string to_string(const ConfigError& error);

// Parses and validates a config document.  Strict: unknown fields, wrong
// types and out-of-range values are all errors, and every one is reported.
// Pure; the host name is passed in so that tests need no host.
hps::Result<Config, std::vector<ConfigError>> parse_config(std::string_view text,
							    std::string_view default_node_name);

} // namespace hpsd
