// SPDX-License-Identifier: GPL-2.0-only
#include "export/nvmet_tree.hpp"

#include "export/nvmet_names.hpp"
#include "export/nvmet_paths.hpp"

#include <cerrno>
#include <charconv>
#include <span>

namespace hpsd::exports {
namespace {

using TreeResult = hps::Result<NvmetTree, std::string>;

template <class T>
using Result = hps::Result<T, std::string>;

constexpr std::string_view who = "nvmet";

Result<std::vector<std::string>> list_group(Configfs& fs, const std::string& dir)
{
	return exports::list_group(fs, dir, who);
}

Result<Attrs> read_attrs(Configfs& fs, const std::string& dir, std::span<const char* const> names)
{
	return exports::read_attrs(fs, dir, names, who);
}

std::string cannot(const char* what, const FsError& error)
{
	return exports::cannot(who, what, error);
}

Result<SubsystemNow> read_subsystem(Configfs& fs, const std::string& nqn)
{
	SubsystemNow now;
	auto attrs = read_attrs(fs, nvmet_path::subsystem(nqn), subsystem_attrs);
	if (!attrs)
		return hps::fail(std::move(attrs).error());
	now.attrs = std::move(attrs).value();
	auto nsids = list_group(fs, nvmet_path::namespaces(nqn));
	if (!nsids)
		return hps::fail(std::move(nsids).error());
	for (const auto& nsid : *nsids) {
		auto ns = read_attrs(fs, nvmet_path::name_space(nqn, nsid), namespace_attrs);
		if (!ns)
			return hps::fail(std::move(ns).error());
		now.namespaces.emplace(nsid, std::move(ns).value());
	}
	auto hosts = list_group(fs, nvmet_path::allowed_hosts(nqn));
	if (!hosts)
		return hps::fail(std::move(hosts).error());
	now.hosts.insert(hosts->begin(), hosts->end());
	return now;
}

Result<PortNow> read_port(Configfs& fs, std::uint16_t id)
{
	PortNow now;
	auto attrs = read_attrs(fs, nvmet_path::port(id), port_attrs);
	if (!attrs)
		return hps::fail(std::move(attrs).error());
	now.attrs = std::move(attrs).value();
	auto links = list_group(fs, nvmet_path::port_subsystems(id));
	if (!links)
		return hps::fail(std::move(links).error());
	now.subsystems.insert(links->begin(), links->end());
	auto groups = list_group(fs, nvmet_path::ana_groups(id));
	if (!groups)
		return hps::fail(std::move(groups).error());
	for (const auto& name : *groups) {
		std::uint32_t grpid = 0;
		const auto [end, ec] =
			std::from_chars(name.data(), name.data() + name.size(), grpid);
		if (ec != std::errc{} || end != name.data() + name.size())
			continue; // not a group the kernel would have made
		const std::string path = nvmet_path::ana_group(id, grpid) + "/ana_state";
		auto state = fs.read(path);
		if (!state.ok() && state.error().code != ENOENT)
			return hps::fail(cannot("read", state.error()));
		now.ana_groups.emplace(grpid, state.ok() ? std::move(state).value() : "");
	}
	return now;
}

hps::Result<void, std::string> read_subsystems(Configfs& fs, NvmetTree& tree)
{
	auto names = fs.list(nvmet_path::subsystems);
	if (!names.ok() && names.error().code == ENOENT)
		return hps::fail("nvmet: " + fs.describe(nvmet_path::root) +
				 " is missing: is the nvmet module loaded?");
	if (!names.ok())
		return hps::fail(cannot("list", names.error()));
	for (const auto& nqn : names.value()) {
		if (!is_hps_nqn(nqn)) {
			auto hosts = list_group(fs, nvmet_path::allowed_hosts(nqn));
			if (!hosts)
				return hps::fail(std::move(hosts).error());
			tree.foreign_host_links.insert(hosts->begin(), hosts->end());
			continue;
		}
		auto subsystem = read_subsystem(fs, nqn);
		if (!subsystem)
			return hps::fail(std::move(subsystem).error());
		tree.subsystems.emplace(nqn, std::move(subsystem).value());
	}
	return {};
}

hps::Result<void, std::string> read_ports(Configfs& fs, const PortIdRange& owned, NvmetTree& tree)
{
	auto names = list_group(fs, nvmet_path::ports);
	if (!names)
		return hps::fail(std::move(names).error());
	for (const auto& name : *names) {
		if (auto id = owned_port_id(name, owned)) {
			auto port = read_port(fs, *id);
			if (!port)
				return hps::fail(std::move(port).error());
			tree.ports.emplace(*id, std::move(port).value());
			continue;
		}
		auto links =
			list_group(fs, std::string(nvmet_path::ports) + "/" + name + "/subsystems");
		if (!links)
			return hps::fail(std::move(links).error());
		for (const auto& nqn : *links)
			if (is_hps_nqn(nqn))
				tree.foreign_port_links[nqn].insert(name);
	}
	return {};
}

} // namespace

bool is_hps_nqn(const std::string& nqn)
{
	return nqn.starts_with(hps_nqn_prefix);
}

std::optional<std::uint16_t> owned_port_id(const std::string& name, const PortIdRange& owned)
{
	std::uint32_t id = 0;
	const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
	if (ec != std::errc{} || end != name.data() + name.size() || !owned.contains(id) ||
	    std::to_string(id) != name)
		return std::nullopt;
	return static_cast<std::uint16_t>(id);
}

hps::Result<NvmetTree, std::string> read_nvmet_tree(Configfs& fs, const PortIdRange& owned)
{
	NvmetTree tree;
	if (auto ok = read_subsystems(fs, tree); !ok)
		return hps::fail(std::move(ok).error());
	if (auto ok = read_ports(fs, owned, tree); !ok)
		return hps::fail(std::move(ok).error());
	auto hosts = list_group(fs, nvmet_path::hosts);
	if (!hosts)
		return hps::fail(std::move(hosts).error());
	tree.hosts.insert(hosts->begin(), hosts->end());
	return tree;
}

} // namespace hpsd::exports
