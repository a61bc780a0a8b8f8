// SPDX-License-Identifier: GPL-2.0-only
// Where LIO's objects are, relative to the configfs root
// (drivers/target/target_core_configfs.c, target_core_fabric_configfs.c,
// iscsi/iscsi_target_configfs.c).
#pragma once

#include "export/lio_names.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace hpsd::exports::lio_path {

inline constexpr const char* root = "target";
inline constexpr const char* core = "target/core";
inline constexpr const char* iscsi = "target/iscsi";

inline std::string hba(std::uint32_t index)
{
	return std::string(core) + "/iblock_" + std::to_string(index);
}
inline std::string backstore(std::uint32_t hba_index, std::uint32_t volume_id)
{
	return hba(hba_index) + "/" + backstore_name(volume_id);
}
inline std::string alua(std::uint32_t hba_index, std::uint32_t volume_id)
{
	return backstore(hba_index, volume_id) + "/alua";
}
inline std::string alua_group(std::uint32_t hba_index, std::uint32_t volume_id,
			      std::string_view group)
{
	return alua(hba_index, volume_id) + "/" + std::string(group);
}
inline std::string target(std::string_view iqn)
{
	return std::string(iscsi) + "/" + std::string(iqn);
}
inline std::string tpg(std::string_view iqn, std::uint16_t tag)
{
	return target(iqn) + "/" + tpg_dir(tag);
}
inline std::string portal(std::string_view iqn, std::uint16_t tag, std::string_view dir)
{
	return tpg(iqn, tag) + "/np/" + std::string(dir);
}
inline std::string lun(std::string_view iqn, std::uint16_t tag, std::string_view name)
{
	return tpg(iqn, tag) + "/lun/" + std::string(name);
}
inline std::string acl(std::string_view iqn, std::uint16_t tag, std::string_view initiator)
{
	return tpg(iqn, tag) + "/acls/" + std::string(initiator);
}

// Default groups: the kernel makes them with their item.
inline constexpr const char* iscsi_groups[] = {"discovery_auth"};
inline constexpr const char* backstore_groups[] = {"wwn", "attrib", "alua",
						   "alua/default_tg_pt_gp"};
inline constexpr const char* tpg_groups[] = {"np", "lun", "acls", "attrib", "auth", "param"};
inline constexpr const char* acl_groups[] = {"auth", "attrib"};

} // namespace hpsd::exports::lio_path
