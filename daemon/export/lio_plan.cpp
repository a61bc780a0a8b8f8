// SPDX-License-Identifier: GPL-2.0-only
#include "export/lio_plan.hpp"

#include "export/lio_names.hpp"
#include "export/lio_paths.hpp"

#include <map>
#include <optional>
#include <set>

namespace hpsd::exports {
namespace {

namespace path = lio_path;

// LIO shows "NULL" for CHAP credentials cleared with "NULL".
constexpr const char* no_credential = "NULL";

std::vector<std::string> groups_of(std::span<const char* const> names)
{
	return {names.begin(), names.end()};
}

// saved_attrs() without empty values: LIO shows an unset tg_pt_gp_id or
// serial as "", which it would refuse to be written back.
AttrPairs restorable(const Attrs& attrs, std::span<const char* const> order)
{
	AttrPairs pairs;
	for (auto& [name, value] : saved_attrs(attrs, order))
		if (!value.empty())
			pairs.emplace_back(name, value);
	return pairs;
}

// What one volume's objects shall hold.
struct VolumeWant {
	const LioVolume* volume = nullptr;
	std::string iqn;
	std::string backstore; // its name
	std::string serial;
	std::map<std::string, AttrPairs> alua_groups; // by name, alua_group_attrs
	std::string authentication;		      // "0" or "1"
	std::map<std::string, AttrPairs> acls;	      // by initiator, acl_attrs
};

class Planner {
public:
	Planner(const LioState& desired, const LioTree& now) : desired_(desired), now_(now)
	{
		for (const auto& volume : desired.volumes)
			wants_.emplace(volume.id, want(volume));
		for (const auto& portal : desired.portals)
			portals_.insert(portal_dir(portal));
	}

	std::vector<Change> plan()
	{
		for (const auto& [id, backstore] : now_.backstores)
			if (auto it = wants_.find(id); it != wants_.end() && must_rebuild(it->second, backstore))
				rebuilt_.insert(id);
		for (const auto& [iqn, target] : now_.targets)
			trim_target(iqn, target);
		std::size_t kept = 0;
		for (const auto& [id, backstore] : now_.backstores) {
			if (kept_backstore(id))
				kept++;
			else
				remove_backstore(id, backstore);
		}
		if (now_.hba && wants_.empty() && kept == 0 && now_.foreign_backstores.empty())
			changes_.push_back(Change::remove_dir(path::hba(desired_.hba)));
		if (!wants_.empty() && !now_.hba)
			changes_.push_back(Change::make_dir(path::hba(desired_.hba)));
		// LIO registers its iSCSI fabric when target/iscsi is made (the
		// kernel loads iscsi_target_mod for it), as targetcli's first
		// command does.  hps makes it when it has something to export and
		// never removes it: other users of LIO may share it.
		if (!wants_.empty() && !now_.iscsi_fabric)
			changes_.push_back(Change::make_dir(path::iscsi, groups_of(path::iscsi_groups)));
		for (const auto& [id, want] : wants_) {
			const BackstoreNow* backstore = find_kept_backstore(id);
			put_backstore(want, backstore);
			put_target(want);
			drop_unwanted_groups(want, backstore);
		}
		return std::move(changes_);
	}

private:
	VolumeWant want(const LioVolume& volume) const
	{
		VolumeWant w;
		w.volume = &volume;
		w.iqn = volume_iqn(volume.id);
		w.backstore = backstore_name(volume.id);
		w.serial = lio_unit_serial(desired_.cluster_id, volume.id);
		auto group = [&w](std::uint16_t tag, AluaState state) {
			w.alua_groups.emplace(
				alua_group_name(tag),
				AttrPairs{{"tg_pt_gp_id", std::to_string(tag)},
					  {"alua_access_type", std::string(alua_access_implicit)},
					  {"alua_access_state",
					   std::to_string(static_cast<int>(state))}});
		};
		group(desired_.tpg_tag, volume.state);
		for (const auto& peer : volume.peer_groups)
			group(peer.tag, peer.state);
		w.authentication = "0";
		for (const auto& host : volume.hosts) {
			if (host.chap_password.empty()) {
				w.acls.emplace(host.iqn, AttrPairs{});
				continue;
			}
			w.authentication = "1";
			const std::string user = host.chap_userid.empty() ? host.iqn : host.chap_userid;
			w.acls.emplace(host.iqn, AttrPairs{{"auth/userid", user},
							   {"auth/password", host.chap_password}});
		}
		return w;
	}

	bool must_rebuild(const VolumeWant& want, const BackstoreNow& now) const
	{
		auto path = attr_of(now.attrs, "udev_path");
		auto serial = attr_of(now.attrs, "wwn/vpd_unit_serial");
		return (path && !path->empty() && *path != want.volume->device_path) ||
		       (serial && !serial->empty() && *serial != want.serial);
	}

	bool kept_backstore(std::uint32_t id) const
	{
		return wants_.contains(id) && !rebuilt_.contains(id);
	}

	const BackstoreNow* find_kept_backstore(std::uint32_t id) const
	{
		auto it = now_.backstores.find(id);
		return it != now_.backstores.end() && kept_backstore(id) ? &it->second : nullptr;
	}

	// Writes `value` unless the attribute says it already.
	void set(const std::string& attr, const std::string& value,
		 const std::optional<std::string>& now)
	{
		if (now != value)
			changes_.push_back(Change::write(attr, value, now));
	}

	void remove_acl(const std::string& iqn, std::uint16_t tag, const std::string& initiator,
			const AclNow& acl)
	{
		const std::string dir = path::acl(iqn, tag, initiator);
		for (const auto& [lun, links] : acl.mapped)
			remove_mapped_lun(dir, iqn, tag, lun, links);
		changes_.push_back(Change::remove_dir(dir, groups_of(path::acl_groups),
						      restorable(acl.attrs, acl_attrs)));
	}

	// Mapped LUNs link to the TPG's LUN of their name, as hps makes them.
	void remove_mapped_lun(const std::string& acl_dir, const std::string& iqn, std::uint16_t tag,
			       const std::string& lun, const std::set<std::string>& links)
	{
		for (const auto& link : links)
			changes_.push_back(Change::unlink(acl_dir + "/" + lun + "/" + link,
							  path::lun(iqn, tag, lun)));
		changes_.push_back(Change::remove_dir(acl_dir + "/" + lun));
	}

	// Links in a LUN are named after their backstore, as hps names them.
	void unlink_lun(const std::string& dir, const std::string& link)
	{
		std::string target = path::hba(desired_.hba) + "/" + link;
		changes_.push_back(Change::unlink(dir + "/" + link, std::move(target)));
	}

	void remove_lun(const std::string& iqn, std::uint16_t tag, const std::string& name,
			const LunNow& lun)
	{
		const std::string dir = path::lun(iqn, tag, name);
		// Written back by an undo once the link is back: a relinked LUN
		// starts in the default group.
		if (!lun.links.empty() && !lun.alua_group.empty() &&
		    lun.alua_group != default_alua_group)
			changes_.push_back(Change::write(dir + "/alua_tg_pt_gp",
							 std::string(default_alua_group),
							 lun.alua_group));
		for (const auto& link : lun.links)
			unlink_lun(dir, link);
		changes_.push_back(Change::remove_dir(dir));
	}

	void disable_tpg(const std::string& iqn, std::uint16_t tag, const TpgNow& tpg)
	{
		if (attr_of(tpg.attrs, "enable") == "1")
			changes_.push_back(
				Change::write(path::tpg(iqn, tag) + "/enable", "0", "1"));
	}

	void remove_tpg(const std::string& iqn, std::uint16_t tag, const TpgNow& tpg)
	{
		disable_tpg(iqn, tag, tpg);
		for (const auto& [initiator, acl] : tpg.acls)
			remove_acl(iqn, tag, initiator, acl);
		for (const auto& [name, lun] : tpg.luns)
			remove_lun(iqn, tag, name, lun);
		for (const auto& portal : tpg.portals)
			changes_.push_back(Change::remove_dir(path::tpg(iqn, tag) + "/np/" + portal));
		changes_.push_back(Change::remove_dir(path::tpg(iqn, tag), groups_of(path::tpg_groups),
						      restorable(tpg.attrs, tpg_attrs)));
	}

	void trim_tpg(const std::string& iqn, std::uint16_t tag, const TpgNow& tpg,
		      const VolumeWant& want)
	{
		for (const auto& [initiator, acl] : tpg.acls) {
			if (!want.acls.contains(initiator)) {
				remove_acl(iqn, tag, initiator, acl);
				continue;
			}
			const std::string dir = path::acl(iqn, tag, initiator);
			for (const auto& [lun, links] : acl.mapped) {
				if (lun != volume_lun) {
					remove_mapped_lun(dir, iqn, tag, lun, links);
					continue;
				}
				for (const auto& link : links)
					if (link != want.backstore)
						changes_.push_back(Change::unlink(
							dir + "/" + lun + "/" + link,
							path::lun(iqn, tag, lun)));
			}
		}
		for (const auto& [name, lun] : tpg.luns) {
			if (name != volume_lun) {
				remove_lun(iqn, tag, name, lun);
				continue;
			}
			for (const auto& link : lun.links)
				if (link != want.backstore)
					unlink_lun(path::lun(iqn, tag, name), link);
		}
		for (const auto& portal : tpg.portals)
			if (!portals_.contains(portal))
				changes_.push_back(Change::remove_dir(path::tpg(iqn, tag) + "/np/" + portal));
	}

	void trim_target(const std::string& iqn, const TargetNow& target)
	{
		const auto id = iqn_volume(iqn);
		auto it = id ? wants_.find(*id) : wants_.end();
		const bool wanted = it != wants_.end() && !rebuilt_.contains(*id);
		for (const auto& [tag, tpg] : target.tpgs) {
			if (wanted && tag == desired_.tpg_tag)
				trim_tpg(iqn, tag, tpg, it->second);
			else
				remove_tpg(iqn, tag, tpg);
		}
		if (!wanted && target.other_dirs.empty())
			changes_.push_back(Change::remove_dir(path::target(iqn)));
	}

	void remove_alua_group(std::uint32_t id, const std::string& name, const Attrs& attrs)
	{
		changes_.push_back(Change::remove_dir(path::alua_group(desired_.hba, id, name), {},
						      restorable(attrs, alua_group_attrs)));
	}

	void remove_backstore(std::uint32_t id, const BackstoreNow& backstore)
	{
		for (const auto& [name, attrs] : backstore.alua_groups)
			remove_alua_group(id, name, attrs);
		AttrPairs restore;
		if (auto device = attr_of(backstore.attrs, "udev_path"); device && !device->empty())
			restore.emplace_back("control", "udev_path=" + *device);
		for (auto& pair : restorable(backstore.attrs, backstore_attrs))
			if (pair.first != "enable" || pair.second == "1")
				restore.push_back(std::move(pair));
		changes_.push_back(Change::remove_dir(path::backstore(desired_.hba, id),
						      groups_of(path::backstore_groups),
						      std::move(restore)));
	}

	void put_backstore(const VolumeWant& want, const BackstoreNow* now)
	{
		static const BackstoreNow none;
		const std::uint32_t id = want.volume->id;
		const std::string dir = path::backstore(desired_.hba, id);
		if (!now)
			changes_.push_back(Change::make_dir(dir, groups_of(path::backstore_groups)));
		const BackstoreNow& bs = now ? *now : none;
		if (attr_of(bs.attrs, "enable") != "1") {
			// control cannot be read: written whenever the backstore is
			// not enabled yet, which is when LIO takes it.
			changes_.push_back(Change::write(
				dir + "/control", "udev_path=" + want.volume->device_path, std::nullopt));
			set(dir + "/udev_path", want.volume->device_path, attr_of(bs.attrs, "udev_path"));
			set(dir + "/wwn/vpd_unit_serial", want.serial,
			    attr_of(bs.attrs, "wwn/vpd_unit_serial"));
			// No undo: LIO cannot disable a backstore (lio_plan.hpp).
			changes_.push_back(Change::write(dir + "/enable", "1", std::nullopt));
		}
		for (const auto& [name, pairs] : want.alua_groups) {
			auto it = bs.alua_groups.find(name);
			const Attrs* group = it == bs.alua_groups.end() ? nullptr : &it->second;
			const std::string& tag = pairs.front().second;
			// The id can be written once: a group of another id is remade.
			if (group && !attr_of(*group, "tg_pt_gp_id").value_or("").empty() &&
			    attr_of(*group, "tg_pt_gp_id") != tag) {
				remove_alua_group(id, name, *group);
				group = nullptr;
			}
			const std::string group_dir = path::alua_group(desired_.hba, id, name);
			if (!group)
				changes_.push_back(Change::make_dir(group_dir));
			static const Attrs empty;
			const Attrs& attrs = group ? *group : empty;
			for (const auto& [attr, value] : pairs) {
				auto old = attr_of(attrs, attr);
				if (attr == "tg_pt_gp_id" && old && old->empty())
					old.reset(); // unset: nothing to write back
				set(group_dir + "/" + attr, value, old);
			}
		}
	}

	void drop_unwanted_groups(const VolumeWant& want, const BackstoreNow* now)
	{
		if (!now)
			return;
		for (const auto& [name, attrs] : now->alua_groups)
			if (!want.alua_groups.contains(name))
				remove_alua_group(want.volume->id, name, attrs);
	}

	void put_credentials(const std::string& dir, const AttrPairs& want, const Attrs& now)
	{
		if (want.empty()) {
			for (const char* name : acl_attrs) {
				auto value = attr_of(now, name);
				if (value && !value->empty() && *value != no_credential)
					changes_.push_back(
						Change::write(dir + "/" + name, no_credential, value));
			}
			return;
		}
		for (const auto& [name, value] : want)
			set(dir + "/" + name, value, attr_of(now, name));
	}

	void put_acls(const VolumeWant& want, const TpgNow& tpg)
	{
		const std::uint16_t tag = desired_.tpg_tag;
		for (const auto& [initiator, credentials] : want.acls) {
			const std::string dir = path::acl(want.iqn, tag, initiator);
			auto it = tpg.acls.find(initiator);
			static const AclNow none;
			if (it == tpg.acls.end())
				changes_.push_back(Change::make_dir(dir, groups_of(path::acl_groups)));
			const AclNow& acl = it == tpg.acls.end() ? none : it->second;
			put_credentials(dir, credentials, acl.attrs);
			const std::string mapped = dir + "/" + std::string(volume_lun);
			auto lun = acl.mapped.find(std::string(volume_lun));
			if (lun == acl.mapped.end())
				changes_.push_back(Change::make_dir(mapped));
			if (lun == acl.mapped.end() || !lun->second.contains(want.backstore))
				changes_.push_back(Change::symlink(
					path::lun(want.iqn, tag, volume_lun), mapped + "/" + want.backstore));
		}
	}

	void put_target(const VolumeWant& want)
	{
		static const TargetNow no_target;
		static const TpgNow no_tpg;
		const std::uint16_t tag = desired_.tpg_tag;
		auto t = rebuilt_.contains(want.volume->id) ? now_.targets.end()
							    : now_.targets.find(want.iqn);
		if (t == now_.targets.end() && !now_target_kept(want.iqn))
			changes_.push_back(Change::make_dir(path::target(want.iqn)));
		const TargetNow& target = t == now_.targets.end() ? no_target : t->second;
		auto p = target.tpgs.find(tag);
		const std::string dir = path::tpg(want.iqn, tag);
		if (p == target.tpgs.end())
			changes_.push_back(Change::make_dir(dir, groups_of(path::tpg_groups)));
		const TpgNow& tpg = p == target.tpgs.end() ? no_tpg : p->second;
		set(dir + "/attrib/generate_node_acls", "0",
		    attr_of(tpg.attrs, "attrib/generate_node_acls"));
		set(dir + "/attrib/authentication", want.authentication,
		    attr_of(tpg.attrs, "attrib/authentication"));
		for (const auto& portal : portals_)
			if (!tpg.portals.contains(portal))
				changes_.push_back(Change::make_dir(dir + "/np/" + portal));
		const std::string lun_dir = path::lun(want.iqn, tag, volume_lun);
		auto lun = tpg.luns.find(std::string(volume_lun));
		if (lun == tpg.luns.end())
			changes_.push_back(Change::make_dir(lun_dir));
		const bool linked = lun != tpg.luns.end() && lun->second.links.contains(want.backstore);
		if (!linked)
			changes_.push_back(Change::symlink(path::backstore(desired_.hba, want.volume->id),
							   lun_dir + "/" + want.backstore));
		std::optional<std::string> group;
		if (linked)
			group = lun->second.alua_group;
		else if (lun != tpg.luns.end())
			group = std::string(default_alua_group); // where a new link puts it
		set(lun_dir + "/alua_tg_pt_gp", alua_group_name(tag), group);
		put_acls(want, tpg);
		set(dir + "/enable", "1", attr_of(tpg.attrs, "enable"));
	}

	// A target dir of a rebuilt volume that could not be removed (others'
	// tpgt_ dirs in it) is still there.
	bool now_target_kept(const std::string& iqn) const
	{
		auto it = now_.targets.find(iqn);
		return it != now_.targets.end() && !it->second.other_dirs.empty();
	}

	const LioState& desired_;
	const LioTree& now_;
	std::map<std::uint32_t, VolumeWant> wants_; // by volume id
	std::set<std::string> portals_;		    // np/ names
	std::set<std::uint32_t> rebuilt_;	    // volumes whose objects are remade
	std::vector<Change> changes_;
};

} // namespace

hps::Result<std::vector<Change>, std::string> plan_lio(const LioState& desired, const LioTree& now)
{
	return Planner(desired, now).plan();
}

} // namespace hpsd::exports
