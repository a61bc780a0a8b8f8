// SPDX-License-Identifier: GPL-2.0-only
#include "export/nvmet_plan.hpp"

#include "export/nvmet_names.hpp"
#include "export/nvmet_paths.hpp"

#include <charconv>
#include <optional>
#include <set>

namespace hpsd::exports {
namespace {

namespace path = nvmet_path;

using Pairs = AttrPairs;

std::optional<std::string> get(const Attrs& attrs, const std::string& name)
{
	return attr_of(attrs, name);
}

Pairs saved(const Attrs& attrs, std::span<const char* const> order)
{
	return saved_attrs(attrs, order);
}

std::vector<std::string> groups_of(std::span<const char* const> names)
{
	return {names.begin(), names.end()};
}

// What one volume's subsystem shall hold.
struct VolumeWant {
	Pairs subsystem;  // subsystem_attrs, cntlids last
	Pairs name_space; // namespace_attrs
	std::set<std::string> hosts;
};

class Planner {
public:
	Planner(const NvmetState& desired, const NvmetTree& now) : desired_(desired), now_(now)
	{
		for (const auto& [id, port] : now.ports)
			links_[id] = port.subsystems;
		for (const auto& volume : desired.volumes)
			wants_.emplace(volume_nqn(volume.id), want(volume));
		for (const auto& port : desired.ports)
			ports_.emplace(port.id, &port);
	}

	hps::Result<std::vector<Change>, std::string> plan()
	{
		if (auto ok = unlink_ports_to_readdress(); !ok)
			return hps::fail(std::move(ok).error());
		for (const auto& [nqn, subsystem] : now_.subsystems)
			if (!wants_.contains(nqn))
				remove_volume(nqn, subsystem);
		for (const auto& [id, port] : now_.ports)
			if (!ports_.contains(id))
				remove_port(id, port);
		for (const auto& [nqn, want] : wants_)
			if (auto it = now_.subsystems.find(nqn); it != now_.subsystems.end())
				trim_volume(nqn, it->second, want);
		make_hosts();
		for (const auto& port : desired_.ports)
			put_port(port);
		for (const auto& [nqn, want] : wants_)
			put_volume(nqn, want);
		link_volumes();
		remove_unused_hosts();
		return std::move(changes_);
	}

private:
	VolumeWant want(const NvmetVolume& volume) const
	{
		VolumeWant w;
		w.subsystem = {{"attr_allow_any_host", "0"},
			       {"attr_model", std::string(nvmet_model)},
			       {"attr_serial", volume_serial(desired_.cluster_id, volume.id)},
			       {"attr_cntlid_min", std::to_string(desired_.cntlids.min)},
			       {"attr_cntlid_max", std::to_string(desired_.cntlids.max)}};
		w.name_space = {{"device_path", volume.device_path},
				{"device_uuid", volume_uuid(desired_.cluster_id, volume.id)},
				{"ana_grpid", std::to_string(*ana_group_of(volume.ana_state))},
				{"enable", "1"}};
		w.hosts.insert(volume.hosts.begin(), volume.hosts.end());
		return w;
	}

	void unlink(std::uint16_t port, const std::string& nqn)
	{
		changes_.push_back(Change::unlink(path::port_subsystems(port) + "/" + nqn,
						  path::subsystem(nqn)));
		links_[port].erase(nqn);
	}

	// Writes `value` unless the attribute says it already.
	void set(const std::string& attr, const std::string& value,
		 const std::optional<std::string>& now)
	{
		if (now != value)
			changes_.push_back(Change::write(attr, value, now));
	}

	hps::Result<void, std::string> unlink_ports_to_readdress()
	{
		for (const auto& [id, port] : now_.ports) {
			auto it = ports_.find(id);
			if (it == ports_.end() || port_attrs_match(*it->second, port.attrs))
				continue;
			for (const auto& nqn : port.subsystems)
				if (!is_hps_nqn(nqn))
					return hps::fail(
						"nvmet: port " + std::to_string(id) +
						": its address must change, but subsystem " + nqn +
						" (not hps's) is linked to it");
			for (const auto& nqn : port.subsystems)
				unlink(id, nqn);
		}
		return {};
	}

	static Pairs port_want(const NvmetPort& port)
	{
		return {{"addr_trtype", port.trtype},
			{"addr_adrfam", port.adrfam},
			{"addr_traddr", port.traddr},
			{"addr_trsvcid", port.trsvcid}};
	}

	static bool port_attrs_match(const NvmetPort& port, const Attrs& attrs)
	{
		for (const auto& [name, value] : port_want(port))
			if (get(attrs, name) != value)
				return false;
		return true;
	}

	void remove_namespace(const std::string& nqn, const std::string& nsid, const Attrs& attrs)
	{
		if (get(attrs, "enable") == "1")
			changes_.push_back(
				Change::write(path::name_space(nqn, nsid) + "/enable", "0", "1"));
		changes_.push_back(Change::remove_dir(path::name_space(nqn, nsid), {},
						      saved(attrs, namespace_attrs)));
	}

	void unlink_host(const std::string& nqn, const std::string& host)
	{
		changes_.push_back(
			Change::unlink(path::allowed_hosts(nqn) + "/" + host, path::host(host)));
	}

	void remove_volume(const std::string& nqn, const SubsystemNow& subsystem)
	{
		for (const auto& [id, port] : now_.ports)
			if (links_[id].contains(nqn))
				unlink(id, nqn);
		// Others' ports too: the subsystem is going, and a link to it
		// would keep it (EBUSY).
		if (auto it = now_.foreign_port_links.find(nqn);
		    it != now_.foreign_port_links.end())
			for (const auto& name : it->second) {
				const std::string link = std::string(path::ports) + "/" + name +
							 "/subsystems/" + nqn;
				changes_.push_back(Change::unlink(link, path::subsystem(nqn)));
			}
		for (const auto& [nsid, attrs] : subsystem.namespaces)
			remove_namespace(nqn, nsid, attrs);
		for (const auto& host : subsystem.hosts)
			unlink_host(nqn, host);
		changes_.push_back(Change::remove_dir(path::subsystem(nqn),
						      groups_of(path::subsystem_groups),
						      saved(subsystem.attrs, subsystem_attrs)));
	}

	void remove_port(std::uint16_t id, const PortNow& port)
	{
		for (const auto& nqn : port.subsystems)
			if (is_hps_nqn(nqn) && links_[id].contains(nqn))
				unlink(id, nqn);
		if (!links_[id].empty())
			return; // someone else's subsystem is still on it: leave it
		for (const auto& [grpid, state] : port.ana_groups)
			if (grpid != 1)
				changes_.push_back(Change::remove_dir(path::ana_group(id, grpid),
								      {}, {{"ana_state", state}}));
		changes_.push_back(Change::remove_dir(path::port(id), groups_of(path::port_groups),
						      saved(port.attrs, port_attrs)));
	}

	void trim_volume(const std::string& nqn, const SubsystemNow& subsystem,
			 const VolumeWant& want)
	{
		for (const auto& [nsid, attrs] : subsystem.namespaces)
			if (nsid != volume_nsid)
				remove_namespace(nqn, nsid, attrs);
		for (const auto& host : subsystem.hosts)
			if (!want.hosts.contains(host))
				unlink_host(nqn, host);
	}

	void make_hosts()
	{
		std::set<std::string> made;
		for (const auto& [nqn, want] : wants_)
			for (const auto& host : want.hosts)
				if (!now_.hosts.contains(host) && made.insert(host).second)
					changes_.push_back(Change::make_dir(path::host(host)));
	}

	void put_port(const NvmetPort& port)
	{
		static const Attrs none;
		auto it = now_.ports.find(port.id);
		const bool exists = it != now_.ports.end();
		if (!exists)
			changes_.push_back(Change::make_dir(path::port(port.id),
							    groups_of(path::port_groups)));
		const Attrs& attrs = exists ? it->second.attrs : none;
		for (const auto& [name, value] : port_want(port))
			set(path::port(port.id) + "/" + name, value, get(attrs, name));
		std::map<std::uint32_t, std::string> groups;
		if (exists)
			groups = it->second.ana_groups;
		for (std::uint32_t grpid = first_hps_ana_group; grpid <= last_hps_ana_group;
		     grpid++) {
			const std::string dir = path::ana_group(port.id, grpid);
			auto group = groups.find(grpid);
			if (group == groups.end())
				changes_.push_back(Change::make_dir(dir));
			set(dir + "/ana_state", std::string(*ana_state_of_group(grpid)),
			    group == groups.end() ? std::nullopt : std::optional(group->second));
		}
		for (const auto& [grpid, state] : groups)
			if (grpid != 1 && !ana_state_of_group(grpid))
				changes_.push_back(
					Change::remove_dir(path::ana_group(port.id, grpid), {},
							   {{"ana_state", state}}));
	}

	void put_subsystem_attrs(const std::string& nqn, const VolumeWant& want, const Attrs& attrs)
	{
		const std::string dir = path::subsystem(nqn);
		// nvmet refuses a cntlid_min above the current max and a max
		// below the current min: when the range moves up, max goes first.
		unsigned current_max = 0xffef;
		if (auto max = get(attrs, "attr_cntlid_max"))
			std::from_chars(max->data(), max->data() + max->size(), current_max);
		const bool max_first = desired_.cntlids.min > current_max;
		for (const auto& [name, value] : want.subsystem) {
			if (max_first && name == "attr_cntlid_min")
				set(dir + "/attr_cntlid_max", std::to_string(desired_.cntlids.max),
				    get(attrs, "attr_cntlid_max"));
			if (max_first && name == "attr_cntlid_max")
				continue;
			set(dir + "/" + name, value, get(attrs, name));
		}
	}

	void put_namespace(const std::string& nqn, const VolumeWant& want, const Attrs* attrs)
	{
		static const Attrs none;
		const std::string dir = path::name_space(nqn, volume_nsid);
		if (!attrs)
			changes_.push_back(Change::make_dir(dir));
		const Attrs& now = attrs ? *attrs : none;
		std::optional<std::string> enable = get(now, "enable");
		bool busy = false; // refused while the namespace is enabled (EBUSY)
		for (const auto& [name, value] : want.name_space)
			if ((name == "device_path" || name == "device_uuid") &&
			    get(now, name) != value)
				busy = true;
		if (enable == "1" && busy) {
			changes_.push_back(Change::write(dir + "/enable", "0", enable));
			enable = "0";
		}
		for (const auto& [name, value] : want.name_space)
			set(dir + "/" + name, value, name == "enable" ? enable : get(now, name));
	}

	void put_volume(const std::string& nqn, const VolumeWant& want)
	{
		static const SubsystemNow none;
		auto it = now_.subsystems.find(nqn);
		const bool exists = it != now_.subsystems.end();
		if (!exists)
			changes_.push_back(Change::make_dir(path::subsystem(nqn),
							    groups_of(path::subsystem_groups)));
		const SubsystemNow& subsystem = exists ? it->second : none;
		put_subsystem_attrs(nqn, want, subsystem.attrs);
		auto ns = subsystem.namespaces.find(std::string(volume_nsid));
		put_namespace(nqn, want, ns == subsystem.namespaces.end() ? nullptr : &ns->second);
		for (const auto& host : want.hosts)
			if (!subsystem.hosts.contains(host))
				changes_.push_back(Change::symlink(
					path::host(host), path::allowed_hosts(nqn) + "/" + host));
	}

	void link_volumes()
	{
		for (const auto& port : desired_.ports)
			for (const auto& [nqn, want] : wants_)
				if (!links_[port.id].contains(nqn)) {
					changes_.push_back(Change::symlink(
						path::subsystem(nqn),
						path::port_subsystems(port.id) + "/" + nqn));
					links_[port.id].insert(nqn);
				}
	}

	// Hosts hps's subsystems linked before and nothing links now.  A host
	// that only others' subsystems use, or none, is not hps's to remove.
	void remove_unused_hosts()
	{
		std::set<std::string> wanted;
		for (const auto& [nqn, want] : wants_)
			wanted.insert(want.hosts.begin(), want.hosts.end());
		std::set<std::string> removed;
		for (const auto& [nqn, subsystem] : now_.subsystems)
			for (const auto& host : subsystem.hosts)
				if (now_.hosts.contains(host) && !wanted.contains(host) &&
				    !now_.foreign_host_links.contains(host) &&
				    removed.insert(host).second)
					changes_.push_back(Change::remove_dir(path::host(host)));
	}

	const NvmetState& desired_;
	const NvmetTree& now_;
	std::map<std::string, VolumeWant> wants_;              // by NQN
	std::map<std::uint16_t, const NvmetPort*> ports_;      // by id
	std::map<std::uint16_t, std::set<std::string>> links_; // hps ports' links as planned
	std::vector<Change> changes_;
};

} // namespace

hps::Result<std::vector<Change>, std::string> plan_nvmet(const NvmetState& desired,
							 const NvmetTree& now)
{
	return Planner(desired, now).plan();
}

} // namespace hpsd::exports
