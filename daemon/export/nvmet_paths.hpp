// SPDX-License-Identifier: GPL-2.0-only
// Where nvmet's objects are, relative to the configfs root
// (drivers/nvme/target/configfs.c).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hpsd::exports::nvmet_path {

inline constexpr const char* root = "nvmet";
inline constexpr const char* subsystems = "nvmet/subsystems";
inline constexpr const char* ports = "nvmet/ports";
inline constexpr const char* hosts = "nvmet/hosts";

inline std::string subsystem(std::string_view nqn)
{
	return std::string(subsystems) + "/" + std::string(nqn);
}
inline std::string namespaces(std::string_view nqn)
{
	return subsystem(nqn) + "/namespaces";
}
inline std::string name_space(std::string_view nqn, std::string_view nsid)
{
	return namespaces(nqn) + "/" + std::string(nsid);
}
inline std::string allowed_hosts(std::string_view nqn)
{
	return subsystem(nqn) + "/allowed_hosts";
}
inline std::string host(std::string_view host_nqn)
{
	return std::string(hosts) + "/" + std::string(host_nqn);
}
inline std::string port(std::uint32_t id)
{
	return std::string(ports) + "/" + std::to_string(id);
}
inline std::string port_subsystems(std::uint32_t id)
{
	return port(id) + "/subsystems";
}
inline std::string ana_groups(std::uint32_t id)
{
	return port(id) + "/ana_groups";
}
inline std::string ana_group(std::uint32_t id, std::uint32_t grpid)
{
	return ana_groups(id) + "/" + std::to_string(grpid);
}

// Default groups: the kernel makes them with their item.
inline constexpr const char* subsystem_groups[] = {"namespaces", "allowed_hosts"};
inline constexpr const char* port_groups[] = {"subsystems", "referrals", "ana_groups"};

} // namespace hpsd::exports::nvmet_path
