// SPDX-License-Identifier: GPL-2.0-only
// The names hps gives LIO objects, the same on every node.
//
// Target IQN: iqn.2014-08.org.hps:vol.<id>.  RFC 3720 3.2.6.3.1: "iqn.",
// the year and month a naming authority owned its domain, the domain
// reversed, then ':' and any text of lower-case letters, digits, '.', '-'
// and ':' (after stringprep); hps uses the same authority as its NQNs
// (nvmet_names.hpp) and '.' before the id so that the name stays a plain
// word for tools that split at ':'.  At most 223 bytes (ISCSI_IQN_LEN 224
// with its NUL).
#pragma once

#include "export/lio_state.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hpsd::exports {

// Every target whose IQN starts with this is hps's.
inline constexpr std::string_view hps_iqn_prefix = "iqn.2014-08.org.hps:vol.";
inline constexpr std::size_t max_lio_iqn_chars = 223;
// LUN 0 of every hps TPG is the volume.
inline constexpr std::string_view volume_lun = "lun_0";
// The group LIO puts every LUN in, and every backstore has.
inline constexpr std::string_view default_alua_group = "default_tg_pt_gp";
// alua_access_type: implicit only, so that hosts cannot move the states
// (SET TARGET PORT GROUPS); hps does, on promotion and demotion.
inline constexpr std::string_view alua_access_implicit = "1";

std::string volume_iqn(std::uint32_t volume_id);
// hps_vol_<id>: the backstore's name in core/iblock_<hba>.
std::string backstore_name(std::uint32_t volume_id);
// The id of a backstore named by backstore_name(), else nullopt.
std::optional<std::uint32_t> backstore_volume(std::string_view name);
// The id of an hps target IQN, else nullopt.
std::optional<std::uint32_t> iqn_volume(std::string_view iqn);
// hps_tpg_<tag>: the ALUA group of a node's paths.
std::string alua_group_name(std::uint16_t tag);
std::optional<std::uint16_t> alua_group_tag(std::string_view name);
// tpgt_<tag>, and back.
std::string tpg_dir(std::uint16_t tag);
std::optional<std::uint16_t> tpg_tag_of(std::string_view dir);
// np/<address>:<port>, IPv6 in brackets, as LIO names portals.
std::string portal_dir(const LioPortal& portal);
// The unit serial (wwn/vpd_unit_serial; LIO derives the NAA identifier
// from it): the volume's namespace UUID, so nvmet and LIO name it alike.
std::string lio_unit_serial(std::string_view cluster_id, std::uint32_t volume_id);

// Why `iqn` is not an initiator or target IQN LIO takes as a configfs
// name, or nothing: host_store's iqn_problem, at most 223 characters and
// no '/'.
std::optional<std::string> lio_iqn_problem(std::string_view iqn);

} // namespace hpsd::exports
