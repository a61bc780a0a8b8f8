// SPDX-License-Identifier: GPL-2.0-only
// The names and derived values hps gives nvmet objects, the same on every
// node: a volume's subsystem NQN, serial number and namespace UUID, and the
// ANA group of each ANA state.
//
// ANA groups: one per ANA state, not one per volume.  nvmet has 128 groups
// (NVMET_MAX_ANAGRPS, group 1 its default), and volume ids are never handed
// out twice (volume/registry.hpp), so a group per volume would run out after
// 127 volumes in the life of a cluster.  Instead every hps port carries the
// same five groups, each with a fixed state, and a volume's namespace is
// put in the group of the state it should have on this node: a failover
// writes the namespace's ana_grpid, one write per node, which nvmet accepts
// while the namespace is enabled (unlike device_path and device_uuid) and
// announces to the hosts with an ANA change event.  A group then reports the
// same state on every port of every node, as multipath stacks expect of a
// group.
#pragma once

#include "util/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hpsd::exports {

// Every subsystem whose NQN starts with this is hps's.
inline constexpr std::string_view hps_nqn_prefix = "nqn.2014-08.org.hps:";
// The longest NQN (NVMF_NQN_SIZE).
inline constexpr std::size_t max_nqn_chars = 223;
// attr_model of hps's subsystems.
inline constexpr std::string_view nvmet_model = "hps";
// Namespace 1 is the volume.
inline constexpr std::string_view volume_nsid = "1";

// nqn.2014-08.org.hps:vol:<id>
std::string volume_nqn(std::uint32_t volume_id);

// 20 hex digits (attr_serial holds 20 characters), from the cluster id and
// the volume id only.
std::string volume_serial(std::string_view cluster_id, std::uint32_t volume_id);
// A name-based UUID (RFC 4122 version 5) of the cluster id and the volume
// id, lower case as nvmet shows device_uuid.
std::string volume_uuid(std::string_view cluster_id, std::uint32_t volume_id);

// The ANA group of a state (2..6, above), nullopt for what nvmet does not
// know; and the other way round.
std::optional<std::uint32_t> ana_group_of(std::string_view ana_state);
std::optional<std::string_view> ana_state_of_group(std::uint32_t grpid);
inline constexpr std::uint32_t first_hps_ana_group = 2;
inline constexpr std::uint32_t last_hps_ana_group = 6;

// Why `nqn` is not an NQN hps accepts ("must start with \"nqn.\"", ...), or
// nothing.  Besides the length and the prefix, it must be printable ASCII
// without spaces or '/': it becomes a configfs directory name.
std::optional<std::string> nqn_problem(std::string_view nqn);

} // namespace hpsd::exports
