// SPDX-License-Identifier: GPL-2.0-only
#include "nvmet_kernel_fake.hpp"

#include "fake_paths.hpp"

#include <cerrno>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

namespace hps::test {
namespace {

enum class Kind { root_group, default_group, subsystem, name_space, port, ana_group, host, other };

Kind kind_of(const std::vector<std::string>& p)
{
	if (p.empty() || p[0] != "nvmet")
		return Kind::other;
	if (p.size() == 1)
		return Kind::root_group;
	const std::string& top = p[1];
	if (top != "subsystems" && top != "ports" && top != "hosts")
		return Kind::other;
	switch (p.size()) {
	case 2:
		return Kind::root_group;
	case 3:
		return top == "subsystems" ? Kind::subsystem
		       : top == "ports"    ? Kind::port
					   : Kind::host;
	case 4:
		if (top == "subsystems" && (p[3] == "namespaces" || p[3] == "allowed_hosts"))
			return Kind::default_group;
		if (top == "ports" &&
		    (p[3] == "subsystems" || p[3] == "referrals" || p[3] == "ana_groups"))
			return Kind::default_group;
		return Kind::other;
	case 5:
		if (top == "subsystems" && p[3] == "namespaces")
			return Kind::name_space;
		if (top == "ports" && p[3] == "ana_groups")
			return p[4] == "1" ? Kind::default_group : Kind::ana_group;
		return Kind::other;
	default:
		return Kind::other;
	}
}

Kind kind_of(const std::string& path)
{
	return kind_of(split(path));
}

using Defaults = KernelDefaults;

const Defaults subsystem_defaults = {
	{"attr_allow_any_host", "0"}, {"attr_serial", "0123456789abcdef"},
	{"attr_model", "Linux"},      {"attr_version", "1.3"},
	{"attr_cntlid_min", "1"},     {"attr_cntlid_max", "65519"},
	{"attr_qid_max", "128"}};
const Defaults namespace_defaults = {{"device_path", "(null)"},
				     {"device_uuid", "00000000-0000-0000-0000-000000000000"},
				     {"device_nguid", "00000000-0000-0000-0000-000000000000"},
				     {"ana_grpid", "1"},
				     {"enable", "0"},
				     {"buffered_io", "0"}};
const Defaults port_defaults = {{"addr_trtype", ""},
				{"addr_adrfam", ""},
				{"addr_traddr", ""},
				{"addr_trsvcid", ""},
				{"addr_treq", "not specified"},
				{"param_inline_data_size", "-1"}};

} // namespace

KernelNvmetConfigfs::KernelNvmetConfigfs(Configfs& inner)
	: KernelFake(inner, {"nvmet", "nvmet/subsystems", "nvmet/ports", "nvmet/hosts"})
{}

bool KernelNvmetConfigfs::empty(const std::string& dir)
{
	auto names = inner_.list(dir);
	return !names.ok() || names->empty();
}

// Links are named after their targets (as hps and nvmetcli name them), so
// a host or subsystem is a target when a link of its name is in a group.
bool KernelNvmetConfigfs::is_link_target(const std::string& dir)
{
	const auto p = split(dir);
	const Kind kind = kind_of(p);
	if (kind != Kind::host && kind != Kind::subsystem)
		return false;
	const std::string parent = kind == Kind::host ? "nvmet/subsystems" : "nvmet/ports";
	const std::string group = kind == Kind::host ? "/allowed_hosts/" : "/subsystems/";
	auto items = inner_.list(parent);
	if (!items.ok())
		return false;
	for (const auto& item : *items)
		if (auto there = inner_.exists(parent + "/" + item + group + p[2]);
		    there.ok() && *there)
			return true;
	return false;
}

FsResult<bool> KernelNvmetConfigfs::make_item(const std::string& dir)
{
	const auto p = split(dir);
	const Kind kind = kind_of(p);
	const Defaults* defaults = nullptr;
	std::vector<std::string> groups;
	switch (kind) {
	case Kind::subsystem:
		defaults = &subsystem_defaults;
		groups = {"namespaces", "allowed_hosts"};
		break;
	case Kind::name_space: {
		auto nsid = number(p[4]);
		if (!nsid || *nsid == 0 || *nsid >= 0xffffffff)
			return refuse(EINVAL, dir);
		defaults = &namespace_defaults;
		break;
	}
	case Kind::port: {
		auto id = number(p[2]);
		if (!id || *id > 0xffff)
			return refuse(EINVAL, dir);
		defaults = &port_defaults;
		groups = {"subsystems", "referrals", "ana_groups", "ana_groups/1"};
		break;
	}
	case Kind::ana_group: {
		auto grpid = number(p[4]);
		if (!grpid || *grpid < 2 || *grpid > 128)
			return refuse(EINVAL, dir);
		break;
	}
	case Kind::host:
		break;
	default:
		return refuse(EPERM, dir);
	}
	auto made = make_with(dir, groups, defaults);
	if (!made.ok())
		return made;
	if (kind == Kind::port)
		(void)inner_.write(dir + "/ana_groups/1/ana_state", "optimized");
	if (kind == Kind::ana_group)
		(void)inner_.write(dir + "/ana_state", "inaccessible");
	return true;
}

bool KernelNvmetConfigfs::is_item(const std::string& dir)
{
	const Kind kind = kind_of(dir);
	return kind != Kind::root_group && kind != Kind::default_group && kind != Kind::other;
}

FsResult<void> KernelNvmetConfigfs::remove_item(const std::string& dir)
{
	const Kind kind = kind_of(dir);
	if (kind == Kind::subsystem &&
	    (!empty(dir + "/namespaces") || !empty(dir + "/allowed_hosts")))
		return refuse(ENOTEMPTY, dir);
	if (kind == Kind::port) {
		auto groups = inner_.list(dir + "/ana_groups");
		if (!empty(dir + "/subsystems") || !empty(dir + "/referrals") ||
		    (groups.ok() && groups->size() > 1))
			return refuse(ENOTEMPTY, dir);
	}
	return inner_.remove_dir(dir);
}

FsResult<void> KernelNvmetConfigfs::write(const std::string& attr, const std::string& value)
{
	const auto p = split(attr);
	const std::string item = join(p, p.size() - 1);
	const std::string& name = p.back();
	const Kind kind = kind_of(split(item));
	if (auto there = inner_.exists(attr); !there.ok() || !*there)
		return refuse(EACCES, attr); // configfs makes no files
	if (kind == Kind::name_space) {
		const bool enabled = read_or_empty(item + "/enable") == "1";
		if (enabled &&
		    (name == "device_path" || name == "device_uuid" || name == "device_nguid"))
			return refuse(EBUSY, attr);
		if ((name == "device_path" && value.empty()) ||
		    (name == "enable" && !one_of(value, {"0", "1"})))
			return refuse(EINVAL, attr);
		const std::string path = read_or_empty(item + "/device_path");
		if (name == "enable" && value == "1" && (path.empty() || path == "(null)"))
			return refuse(EINVAL, attr);
		if (name == "ana_grpid") {
			auto grpid = number(value);
			if (!grpid || *grpid < 1 || *grpid > 128)
				return refuse(EINVAL, attr);
		}
	}
	if (kind == Kind::port && name.starts_with("addr_")) {
		if (!empty(item + "/subsystems"))
			return refuse(EACCES, attr);
		if (name == "addr_trtype" && !one_of(value, {"rdma", "fc", "tcp", "loop"}))
			return refuse(EINVAL, attr);
		if (name == "addr_adrfam" &&
		    !one_of(value, {"pcie", "ipv4", "ipv6", "ib", "fc", "loop"}))
			return refuse(EINVAL, attr);
	}
	if (kind == Kind::subsystem) {
		if (name == "attr_allow_any_host" && value == "1" &&
		    !empty(item + "/allowed_hosts"))
			return refuse(EINVAL, attr);
		if ((name == "attr_serial" || name == "attr_model") && is_link_target(item))
			return refuse(EINVAL, attr);
		if (name == "attr_serial" && (value.empty() || value.size() > 20))
			return refuse(EINVAL, attr);
		auto n = number(value);
		if (name == "attr_cntlid_min" &&
		    (!n || *n == 0 ||
		     *n > number(read_or_empty(item + "/attr_cntlid_max")).value_or(0)))
			return refuse(EINVAL, attr);
		if (name == "attr_cntlid_max" &&
		    (!n || *n == 0 ||
		     *n < number(read_or_empty(item + "/attr_cntlid_min")).value_or(0)))
			return refuse(EINVAL, attr);
	}
	if ((kind == Kind::ana_group || kind == Kind::default_group) && name == "ana_state" &&
	    !one_of(value,
		    {"optimized", "non-optimized", "inaccessible", "persistent-loss", "change"}))
		return refuse(EINVAL, attr);
	return inner_.write(attr, value);
}

FsResult<void> KernelNvmetConfigfs::symlink(const std::string& target, const std::string& link)
{
	const auto p = split(link);
	const std::string group = join(p, p.size() - 1);
	const auto g = split(group);
	if (auto there = inner_.exists(link); there.ok() && *there)
		return refuse(EEXIST, link);
	auto target_there = inner_.exists(target);
	if (!target_there.ok() || !*target_there)
		return refuse(ENOENT, link);
	if (kind_of(g) == Kind::default_group && g[1] == "subsystems" && g[3] == "allowed_hosts") {
		if (kind_of(target) != Kind::host)
			return refuse(EINVAL, link);
		if (read_or_empty(join(g, 3) + "/attr_allow_any_host") == "1")
			return refuse(EINVAL, link);
		return inner_.symlink(target, link);
	}
	if (kind_of(g) == Kind::default_group && g[1] == "ports" && g[3] == "subsystems") {
		if (kind_of(target) != Kind::subsystem)
			return refuse(EINVAL, link);
		const std::string port = join(g, 3);
		if (empty(group) &&
		    (!one_of(read_or_empty(port + "/addr_trtype"), {"tcp", "rdma", "loop", "fc"}) ||
		     read_or_empty(port + "/addr_adrfam").empty() ||
		     read_or_empty(port + "/addr_traddr").empty() ||
		     read_or_empty(port + "/addr_trsvcid").empty()))
			return refuse(EINVAL, link);
		return inner_.symlink(target, link);
	}
	return refuse(EPERM, link);
}

} // namespace hps::test
