// SPDX-License-Identifier: GPL-2.0-only
#include "export/lio_tree.hpp"

#include "export/lio_names.hpp"
#include "export/lio_paths.hpp"

#include <cerrno>

namespace hpsd::exports {
namespace {

template <class T>
using Result = hps::Result<T, std::string>;

constexpr std::string_view who = "lio";

std::string_view after_label(std::string_view text, std::string_view label)
{
	if (text.starts_with(label))
		text.remove_prefix(label.size());
	return text;
}

Result<BackstoreNow> read_backstore(Configfs& fs, std::uint32_t hba, std::uint32_t id)
{
	BackstoreNow now;
	auto attrs = exports::read_attrs(fs, lio_path::backstore(hba, id), backstore_attrs, who);
	if (!attrs)
		return hps::fail(std::move(attrs).error());
	now.attrs = std::move(attrs).value();
	if (auto it = now.attrs.find("wwn/vpd_unit_serial"); it != now.attrs.end())
		it->second = unit_serial_shown(it->second);
	auto groups = exports::list_group(fs, lio_path::alua(hba, id), who);
	if (!groups)
		return hps::fail(std::move(groups).error());
	for (const auto& name : *groups) {
		if (!alua_group_tag(name))
			continue; // default_tg_pt_gp, or an admin's
		auto group = exports::read_attrs(fs, lio_path::alua_group(hba, id, name),
						 alua_group_attrs, who);
		if (!group)
			return hps::fail(std::move(group).error());
		if (auto it = group->find("alua_access_type"); it != group->end())
			it->second = alua_access_type_shown(it->second);
		now.alua_groups.emplace(name, std::move(group).value());
	}
	return now;
}

Result<std::set<std::string>> names_in(Configfs& fs, const std::string& dir)
{
	auto names = exports::list_group(fs, dir, who);
	if (!names)
		return hps::fail(std::move(names).error());
	return std::set<std::string>(names->begin(), names->end());
}

// The links in a LUN or mapped LUN.  The seam has no readlink: a link
// lists as the directory it points to, attribute files do not list, and
// statistics/ is the one default group there.
Result<std::set<std::string>> links_in(Configfs& fs, const std::string& dir)
{
	auto names = exports::list_group(fs, dir, who);
	if (!names)
		return hps::fail(std::move(names).error());
	std::set<std::string> links;
	for (const auto& name : *names)
		if (name != "statistics" && fs.list(dir + "/" + name).ok())
			links.insert(name);
	return links;
}

// Every `lun_<n>/` of dir with the links in it.
Result<std::map<std::string, std::set<std::string>>> luns_in(Configfs& fs, const std::string& dir)
{
	std::map<std::string, std::set<std::string>> luns;
	auto names = exports::list_group(fs, dir, who);
	if (!names)
		return hps::fail(std::move(names).error());
	for (const auto& name : *names) {
		if (!name.starts_with("lun_"))
			continue; // an ACL's attrib/ and auth/
		auto links = links_in(fs, dir + "/" + name);
		if (!links)
			return hps::fail(std::move(links).error());
		luns.emplace(name, std::move(links).value());
	}
	return luns;
}

Result<TpgNow> read_tpg(Configfs& fs, const std::string& iqn, std::uint16_t tag)
{
	TpgNow now;
	const std::string dir = lio_path::tpg(iqn, tag);
	auto attrs = exports::read_attrs(fs, dir, tpg_attrs, who);
	if (!attrs)
		return hps::fail(std::move(attrs).error());
	now.attrs = std::move(attrs).value();
	static const char* const enable[] = {"enable"};
	auto on = exports::read_attrs(fs, dir, enable, who);
	if (!on)
		return hps::fail(std::move(on).error());
	now.attrs.insert(on->begin(), on->end());
	auto portals = names_in(fs, dir + "/np");
	if (!portals)
		return hps::fail(std::move(portals).error());
	now.portals = std::move(portals).value();
	auto luns = luns_in(fs, dir + "/lun");
	if (!luns)
		return hps::fail(std::move(luns).error());
	for (auto& [name, links] : *luns) {
		LunNow lun;
		lun.links = std::move(links);
		auto group = fs.read(lio_path::lun(iqn, tag, name) + "/alua_tg_pt_gp");
		if (group.ok())
			lun.alua_group = alua_group_shown(group.value());
		else if (group.error().code != ENOENT && group.error().code != ENODEV)
			return hps::fail(cannot(who, "read", group.error()));
		now.luns.emplace(name, std::move(lun));
	}
	auto acls = exports::list_group(fs, dir + "/acls", who);
	if (!acls)
		return hps::fail(std::move(acls).error());
	for (const auto& initiator : *acls) {
		AclNow acl;
		const std::string acl_dir = lio_path::acl(iqn, tag, initiator);
		auto acl_attrs_now = exports::read_attrs(fs, acl_dir, acl_attrs, who);
		if (!acl_attrs_now)
			return hps::fail(std::move(acl_attrs_now).error());
		acl.attrs = std::move(acl_attrs_now).value();
		auto mapped = luns_in(fs, acl_dir);
		if (!mapped)
			return hps::fail(std::move(mapped).error());
		acl.mapped = std::move(mapped).value();
		now.acls.emplace(initiator, std::move(acl));
	}
	return now;
}

Result<TargetNow> read_target(Configfs& fs, const std::string& iqn)
{
	TargetNow now;
	auto names = exports::list_group(fs, lio_path::target(iqn), who);
	if (!names)
		return hps::fail(std::move(names).error());
	for (const auto& name : *names) {
		auto tag = tpg_tag_of(name);
		if (!tag) {
			if (name.starts_with("tpgt_"))
				now.other_dirs.insert(name);
			continue; // fabric_statistics
		}
		auto tpg = read_tpg(fs, iqn, *tag);
		if (!tpg)
			return hps::fail(std::move(tpg).error());
		now.tpgs.emplace(*tag, std::move(tpg).value());
	}
	return now;
}

hps::Result<void, std::string> read_hba(Configfs& fs, std::uint32_t hba, LioTree& tree)
{
	auto there = fs.exists(lio_path::hba(hba));
	if (!there.ok())
		return hps::fail(cannot(who, "look at", there.error()));
	tree.hba = there.value();
	if (!tree.hba)
		return {};
	auto names = exports::list_group(fs, lio_path::hba(hba), who);
	if (!names)
		return hps::fail(std::move(names).error());
	for (const auto& name : *names) {
		auto entry = fs.list(lio_path::hba(hba) + "/" + name);
		if (!entry.ok())
			continue; // hba_info, hba_mode: attributes, not backstores
		auto id = backstore_volume(name);
		if (!id) {
			tree.foreign_backstores.insert(name);
			continue;
		}
		auto backstore = read_backstore(fs, hba, *id);
		if (!backstore)
			return hps::fail(std::move(backstore).error());
		tree.backstores.emplace(*id, std::move(backstore).value());
	}
	return {};
}

} // namespace

std::string alua_group_shown(const std::string& text)
{
	std::string_view first = std::string_view(text).substr(0, text.find('\n'));
	return std::string(after_label(first, "TG Port Alias: "));
}

std::string alua_access_type_shown(const std::string& text)
{
	// core_alua_show_access_type() names the bits it was given as a number.
	static constexpr std::pair<std::string_view, std::string_view> shown[] = {
		{"None", "0"}, {"Implicit", "1"}, {"Explicit", "2"}, {"Implicit and Explicit", "3"}};
	for (const auto& [name, number] : shown)
		if (text == name)
			return std::string(number);
	return text;
}

std::string unit_serial_shown(const std::string& text)
{
	return std::string(after_label(text, "T10 VPD Unit Serial Number: "));
}

hps::Result<LioTree, std::string> read_lio_tree(Configfs& fs, std::uint32_t hba)
{
	LioTree tree;
	auto core = fs.exists(lio_path::core);
	if (!core.ok())
		return hps::fail(cannot(who, "look at", core.error()));
	if (!*core)
		return hps::fail("lio: " + fs.describe(lio_path::core) +
				 " is missing: is the target_core_mod module loaded?");
	if (auto ok = read_hba(fs, hba, tree); !ok)
		return hps::fail(std::move(ok).error());
	auto iqns = fs.list(lio_path::iscsi);
	if (!iqns.ok() && iqns.error().code == ENOENT)
		return tree; // the iSCSI fabric is not registered: no targets yet
	if (!iqns.ok())
		return hps::fail(cannot(who, "list", iqns.error()));
	tree.iscsi_fabric = true;
	for (const auto& iqn : iqns.value()) {
		if (!iqn_volume(iqn))
			continue; // not hps's; discovery_auth, lio_version: attributes
		auto target = read_target(fs, iqn);
		if (!target)
			return hps::fail(std::move(target).error());
		tree.targets.emplace(iqn, std::move(target).value());
	}
	return tree;
}

} // namespace hpsd::exports
