// SPDX-License-Identifier: GPL-2.0-only
// What nvmet shall export on this node (design.md, "Export to compute
// hosts"): every volume this node holds, as one subsystem each, on every
// port of the node (one per IP plane).  hpsd builds it from its config, its
// volumes and their roles; NvmetWriter (nvmet_writer.hpp) makes configfs
// say it.  Text fields hold what configfs is written, so validate() checks
// exactly what the kernel would be given.
#pragma once

#include "util/result.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hpsd::exports {

struct NvmetPort {
	std::uint16_t id = 0;         // ports/<id>; inside NvmetState::owned_ports
	std::string trtype;           // "tcp" or "rdma"
	std::string adrfam;           // "ipv4" or "ipv6"
	std::string traddr;           // an address of adrfam
	std::string trsvcid = "4420"; // 1..65535
};

struct NvmetVolume {
	std::uint32_t id = 0;    // the registry's volume id, never 0
	std::string device_path; // its dm device, /dev/mapper/hps-<name>
	// "optimized" where this node is the volume's primary, "inaccessible"
	// elsewhere; nvmet also knows "non-optimized", "persistent-loss" and
	// "change".
	std::string ana_state;
	std::vector<std::string> hosts; // host NQNs allowed to connect
};

// Port ids hps owns: ports/<id> in this range are created, changed and
// removed by hps; the others are left alone.  A port id is only a name
// (and the discovery log's portid); the default keeps clear of the 1, 2, ...
// that nvmetcli and hand-made setups use.
struct PortIdRange {
	std::uint16_t first = 8400;
	std::uint16_t last = 8499;

	bool contains(std::uint32_t id) const noexcept { return id >= first && id <= last; }
};

// The controller ids this node's subsystems hand out.  A host rejects a
// second path to a subsystem whose controller id it already has, so each
// node exporting the same volume needs its own range (nvmet's default is
// the whole 1..65519 on every node).
struct CntlidRange {
	std::uint16_t min = 1;
	std::uint16_t max = 0xffef;
};

struct NvmetState {
	// Any text that is the same on every node of the cluster and never
	// changes (hpsd: the config's cluster id): serial numbers and namespace
	// UUIDs are derived from it, so that every node exports a volume as the
	// same namespace and a host's multipath sees one device.
	std::string cluster_id;
	PortIdRange owned_ports;
	CntlidRange cntlids;
	std::vector<NvmetPort> ports;
	std::vector<NvmetVolume> volumes;
};

// The first problem, one line naming the field and its value:
//   port 8400: traddr "10.0.0.300" is not an ipv4 address
hps::Result<void, std::string> validate(const NvmetState& state);

} // namespace hpsd::exports
