// SPDX-License-Identifier: GPL-2.0-only
#include "lio_kernel_fake.hpp"

#include "fake_paths.hpp"

#include <cerrno>
#include <utility>
#include <vector>

namespace hps::test {
namespace {

enum class Kind {
	root_group,
	default_group,
	fabric, // target/iscsi: made by the user, which registers the fabric
	hba,
	backstore,
	alua_group,
	target,
	tpg,
	portal,
	lun,
	acl,
	mapped_lun,
	other
};

bool numbered(const std::string& name, std::string_view prefix, std::uint64_t max)
{
	if (!name.starts_with(prefix))
		return false;
	auto n = number(std::string_view(name).substr(prefix.size()));
	return n && *n <= max;
}

const std::vector<std::string> backstore_groups = {"wwn", "attrib", "alua", "pr", "statistics"};
const std::vector<std::string> tpg_groups = {"np", "lun", "acls", "attrib", "auth", "param"};
const std::vector<std::string> acl_groups = {"auth", "attrib"};

bool in(const std::vector<std::string>& names, const std::string& name)
{
	for (const auto& n : names)
		if (n == name)
			return true;
	return false;
}

Kind core_kind(const std::vector<std::string>& p)
{
	switch (p.size()) {
	case 3:
		return Kind::hba;
	case 4:
		return Kind::backstore;
	case 5:
		return in(backstore_groups, p[4]) ? Kind::default_group : Kind::other;
	case 6:
		if (p[4] != "alua")
			return Kind::other;
		return p[5] == "default_tg_pt_gp" ? Kind::default_group : Kind::alua_group;
	default:
		return Kind::other;
	}
}

Kind iscsi_kind(const std::vector<std::string>& p)
{
	switch (p.size()) {
	case 3:
		return p[2] == "discovery_auth" ? Kind::default_group : Kind::target;
	case 4:
		return Kind::tpg;
	case 5:
		return in(tpg_groups, p[4]) ? Kind::default_group : Kind::other;
	case 6:
		return p[4] == "np"	? Kind::portal
		       : p[4] == "lun"	? Kind::lun
		       : p[4] == "acls" ? Kind::acl
					: Kind::other;
	case 7:
		if (p[4] != "acls")
			return Kind::other;
		return in(acl_groups, p[6]) ? Kind::default_group : Kind::mapped_lun;
	default:
		return Kind::other;
	}
}

Kind kind_of(const std::vector<std::string>& p)
{
	if (p.empty() || p[0] != "target")
		return Kind::other;
	if (p.size() == 1 || (p.size() == 2 && p[1] == "core"))
		return Kind::root_group;
	if (p.size() == 2 && p[1] == "iscsi")
		return Kind::fabric;
	if (p[1] == "core")
		return core_kind(p);
	if (p[1] == "iscsi")
		return iscsi_kind(p);
	return Kind::other;
}

Kind kind_of(const std::string& path)
{
	return kind_of(split(path));
}

// "<a.b.c.d>:<port>" or "[<v6>]:<port>", as lio_target_call_addnptotpg
// parses a portal's name.
bool portal_name(const std::string& name)
{
	const std::size_t colon = name.rfind(':');
	if (colon == std::string::npos || colon == 0)
		return false;
	auto port = number(std::string_view(name).substr(colon + 1));
	if (!port || *port > 0xffff)
		return false;
	const std::string host = name.substr(0, colon);
	if (host.find(':') != std::string::npos)
		return host.front() == '[' && host.back() == ']';
	return true;
}

using Defaults = KernelDefaults;

const Defaults backstore_defaults = {{"control", ""},
				     {"udev_path", ""},
				     {"enable", "0"},
				     {"wwn/vpd_unit_serial", "T10 VPD Unit Serial Number: "},
				     {"alua/default_tg_pt_gp/tg_pt_gp_id", "0"},
				     {"alua/default_tg_pt_gp/alua_access_state", "0"},
				     {"alua/default_tg_pt_gp/alua_access_type", "Implicit and Explicit"}};
const Defaults alua_defaults = {
	{"tg_pt_gp_id", ""}, {"alua_access_state", "0"}, {"alua_access_type", "Implicit and Explicit"}};
const Defaults tpg_defaults = {{"enable", "0"},
			       {"attrib/generate_node_acls", "0"},
			       {"attrib/authentication", "1"},
			       {"attrib/demo_mode_write_protect", "1"}};
const Defaults acl_defaults = {{"auth/userid", ""}, {"auth/password", ""}};

} // namespace

KernelLioConfigfs::KernelLioConfigfs(Configfs& inner)
	: KernelFake(inner, {"target", "target/core"})
{}

// Links are named after their targets' last part (as hps names them), and
// only LUNs and mapped LUNs hold links: a backstore is a target when a LUN
// anywhere links to it, a LUN when a mapped LUN of its TPG does.
bool KernelLioConfigfs::is_link_target(const std::string& dir)
{
	const auto p = split(dir);
	const Kind kind = kind_of(p);
	auto has = [this](const std::string& path) {
		auto there = inner_.exists(path);
		return there.ok() && *there;
	};
	if (kind == Kind::lun) {
		auto acls = inner_.list(join(p, 4) + "/acls");
		if (!acls.ok())
			return false;
		for (const auto& acl : *acls) {
			auto links = inner_.list(join(p, 4) + "/acls/" + acl + "/" + p[5]);
			if (links.ok() && !links->empty())
				return true;
		}
		return false;
	}
	if (kind != Kind::backstore)
		return false;
	auto iqns = inner_.list("target/iscsi");
	if (!iqns.ok())
		return false;
	for (const auto& iqn : *iqns) {
		auto tpgs = inner_.list("target/iscsi/" + iqn);
		for (const auto& tpg : tpgs.ok() ? *tpgs : std::vector<std::string>{}) {
			const std::string luns = "target/iscsi/" + iqn + "/" + tpg + "/lun";
			auto names = inner_.list(luns);
			for (const auto& lun : names.ok() ? *names : std::vector<std::string>{})
				if (has(luns + "/" + lun + "/" + p[3]))
					return true;
		}
	}
	return false;
}

bool KernelLioConfigfs::has_children(const std::string& dir)
{
	auto names = inner_.list(dir);
	if (!names.ok())
		return false;
	for (const auto& name : *names) {
		const std::string path = dir + "/" + name;
		if (auto sub = inner_.list(path); !sub.ok())
			continue; // an attribute file
		if (kind_of(path) != Kind::default_group)
			return true;
		if (has_children(path))
			return true;
	}
	// Links: list() shows them too; a link to a dir lists as one.
	return false;
}

FsResult<bool> KernelLioConfigfs::make_item(const std::string& dir)
{
	const auto p = split(dir);
	const Kind kind = kind_of(p);
	const Defaults* defaults = nullptr;
	std::vector<std::string> groups;
	const std::string& name = p.back();
	switch (kind) {
	case Kind::fabric:
		groups = {"discovery_auth"};
		break;
	case Kind::hba:
		if (!numbered(name, "iblock_", 0xffffffff) && !numbered(name, "fileio_", 0xffffffff))
			return refuse(EINVAL, dir);
		break;
	case Kind::backstore:
		defaults = &backstore_defaults;
		groups = backstore_groups;
		groups.push_back("alua/default_tg_pt_gp");
		break;
	case Kind::alua_group:
		defaults = &alua_defaults;
		break;
	case Kind::target:
		if (name.size() > 223)
			return refuse(EINVAL, dir);
		break;
	case Kind::tpg:
		if (!numbered(name, "tpgt_", 0xffff))
			return refuse(EINVAL, dir);
		defaults = &tpg_defaults;
		groups = tpg_groups;
		break;
	case Kind::portal:
		if (!portal_name(name))
			return refuse(EINVAL, dir);
		break;
	case Kind::lun:
	case Kind::mapped_lun:
		if (!numbered(name, "lun_", 0xffffffffffff))
			return refuse(EINVAL, dir);
		break;
	case Kind::acl:
		defaults = &acl_defaults;
		groups = acl_groups;
		break;
	default:
		return refuse(EPERM, dir);
	}
	auto made = make_with(dir, groups, defaults);
	if (!made.ok())
		return made;
	if (kind == Kind::lun)
		(void)inner_.write(dir + "/alua_tg_pt_gp", "");
	return true;
}

bool KernelLioConfigfs::is_item(const std::string& dir)
{
	const Kind kind = kind_of(dir);
	return kind != Kind::root_group && kind != Kind::default_group && kind != Kind::other;
}

FsResult<void> KernelLioConfigfs::remove_item(const std::string& dir)
{
	if (has_children(dir))
		return refuse(ENOTEMPTY, dir);
	return inner_.remove_dir(dir);
}

FsResult<void> KernelLioConfigfs::write_backstore(const std::string& item, const std::string& name,
						  const std::string& value)
{
	const bool enabled = read_or_empty(item + "/enable") == "1";
	const std::string attr = item + "/" + name;
	if (name == "enable") {
		if (value.find('1') == std::string::npos)
			return refuse(EINVAL, attr);
		if (enabled)
			return refuse(EEXIST, attr);
		// iblock opens the device of control's udev_path=.
		if (!read_or_empty(item + "/control").starts_with("udev_path=/"))
			return refuse(EINVAL, attr);
	}
	if (name == "control" && value.starts_with("udev_path=") && enabled)
		return refuse(EEXIST, attr);
	if ((name == "udev_path" || name == "wwn/vpd_unit_serial") && is_link_target(item))
		return refuse(EINVAL, attr);
	if (name == "wwn/vpd_unit_serial") {
		if (value.empty() || value.size() > 254)
			return refuse(EINVAL, attr);
		return inner_.write(attr, "T10 VPD Unit Serial Number: " + value);
	}
	return inner_.write(attr, value);
}

FsResult<void> KernelLioConfigfs::write_lun_group(const std::string& lun, const std::string& value)
{
	const std::string attr = lun + "/alua_tg_pt_gp";
	auto links = inner_.list(lun);
	std::string backstore;
	for (const auto& name : links.ok() ? *links : std::vector<std::string>{})
		if (name != "alua_tg_pt_gp")
			backstore = name;
	if (backstore.empty())
		return refuse(ENODEV, attr);
	// The link's target: hps links name their backstore; find its HBA.
	auto hbas = inner_.list("target/core");
	for (const auto& hba : hbas.ok() ? *hbas : std::vector<std::string>{}) {
		const std::string group = "target/core/" + hba + "/" + backstore + "/alua/" + value;
		auto there = inner_.exists(group);
		if (!there.ok() || !*there)
			continue;
		const std::string id = read_or_empty(group + "/tg_pt_gp_id");
		if (id.empty())
			return refuse(EINVAL, attr);
		return inner_.write(attr, "TG Port Alias: " + value + "\nTG Port Group ID: " + id);
	}
	return refuse(EINVAL, attr);
}

FsResult<void> KernelLioConfigfs::write(const std::string& attr, const std::string& value)
{
	if (auto there = inner_.exists(attr); !there.ok() || !*there)
		return refuse(EACCES, attr); // configfs makes no files
	auto p = split(attr);
	// The item an attribute belongs to, past its default group.
	std::size_t n = p.size() - 1;
	while (n > 0 && kind_of(join(p, n)) == Kind::default_group)
		n--;
	const std::string item = join(p, n);
	std::string name;
	for (std::size_t i = n; i < p.size(); i++)
		name += (i > n ? "/" : "") + p[i];
	switch (kind_of(item)) {
	case Kind::backstore:
		return write_backstore(item, name, value);
	case Kind::alua_group:
		if (name == "tg_pt_gp_id") {
			auto id = number(value);
			if (!id || *id > 0xffff || !read_or_empty(attr).empty())
				return refuse(EINVAL, attr);
		}
		if (name == "alua_access_state") {
			if (read_or_empty(item + "/tg_pt_gp_id").empty())
				return refuse(EINVAL, attr);
			if (read_or_empty(join(p, 4) + "/enable") != "1")
				return refuse(ENODEV, attr);
			if (!one_of(value, {"0", "1", "2", "3", "14", "15"}))
				return refuse(EINVAL, attr);
		}
		if (name == "alua_access_type") {
			static const char* const shown[] = {"None", "Implicit", "Explicit",
							    "Implicit and Explicit"};
			if (!one_of(value, {"0", "1", "2", "3"}))
				return refuse(EINVAL, attr);
			return inner_.write(attr, shown[value[0] - '0']);
		}
		break;
	case Kind::tpg:
		if (name == "enable") {
			if (!one_of(value, {"0", "1"}))
				return refuse(EINVAL, attr);
			if (value == "1" && read_or_empty(attr) == "1")
				return refuse(EINVAL, attr);
		}
		if (one_of(name, {"attrib/generate_node_acls", "attrib/authentication"}) &&
		    !one_of(value, {"0", "1"}))
			return refuse(EINVAL, attr);
		break;
	case Kind::lun:
		if (name == "alua_tg_pt_gp")
			return write_lun_group(item, value);
		break;
	default:
		break;
	}
	return inner_.write(attr, value);
}

FsResult<void> KernelLioConfigfs::symlink(const std::string& target, const std::string& link)
{
	const auto p = split(link);
	const std::string group = join(p, p.size() - 1);
	if (auto there = inner_.exists(link); there.ok() && *there)
		return refuse(EEXIST, link);
	auto target_there = inner_.exists(target);
	if (!target_there.ok() || !*target_there)
		return refuse(ENOENT, link);
	const Kind kind = kind_of(group);
	if (kind == Kind::lun) {
		if (kind_of(target) != Kind::backstore)
			return refuse(EFAULT, link);
		if (read_or_empty(target + "/enable") != "1")
			return refuse(ENODEV, link);
		auto links = inner_.list(group);
		for (const auto& name : links.ok() ? *links : std::vector<std::string>{})
			if (name != "alua_tg_pt_gp")
				return refuse(EEXIST, link);
		auto made = inner_.symlink(target, link);
		if (made.ok())
			(void)inner_.write(group + "/alua_tg_pt_gp",
					   "TG Port Alias: default_tg_pt_gp\nTG Port Group ID: 0");
		return made;
	}
	if (kind == Kind::mapped_lun) {
		// A mapped LUN links to a LUN of its own TPG.
		const auto t = split(target);
		if (kind_of(t) != Kind::lun || join(t, 4) != join(p, 4))
			return refuse(EINVAL, link);
		return inner_.symlink(target, link);
	}
	return refuse(EPERM, link);
}

FsResult<void> KernelLioConfigfs::unlink(const std::string& link)
{
	auto done = inner_.unlink(link);
	const auto p = split(link);
	// An unlinked LUN leaves its ALUA group: LIO frees the port.
	if (done.ok() && kind_of(join(p, p.size() - 1)) == Kind::lun)
		(void)inner_.write(join(p, p.size() - 1) + "/alua_tg_pt_gp", "");
	return done;
}

} // namespace hps::test
