// SPDX-License-Identifier: GPL-2.0-only
#include "export/lio_names.hpp"

#include "export/check_text.hpp"
#include "export/host_store.hpp"
#include "export/nvmet_names.hpp"

#include <charconv>

namespace hpsd::exports {
namespace {

constexpr std::string_view backstore_prefix = "hps_vol_";
constexpr std::string_view alua_prefix = "hps_tpg_";
constexpr std::string_view tpg_prefix = "tpgt_";

// The number after `prefix`, spelt canonically (so that "hps_vol_01" is
// not taken for volume 1: it is not a name hps makes).
template <class T>
std::optional<T> number_after(std::string_view text, std::string_view prefix)
{
	if (!text.starts_with(prefix))
		return std::nullopt;
	text.remove_prefix(prefix.size());
	T n = 0;
	const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
	if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || n == 0 ||
	    std::to_string(n) != text)
		return std::nullopt;
	return n;
}

} // namespace

std::string volume_iqn(std::uint32_t volume_id)
{
	return std::string(hps_iqn_prefix) + std::to_string(volume_id);
}

std::string backstore_name(std::uint32_t volume_id)
{
	return std::string(backstore_prefix) + std::to_string(volume_id);
}

std::optional<std::uint32_t> backstore_volume(std::string_view name)
{
	return number_after<std::uint32_t>(name, backstore_prefix);
}

std::optional<std::uint32_t> iqn_volume(std::string_view iqn)
{
	return number_after<std::uint32_t>(iqn, hps_iqn_prefix);
}

std::string alua_group_name(std::uint16_t tag)
{
	return std::string(alua_prefix) + std::to_string(tag);
}

std::optional<std::uint16_t> alua_group_tag(std::string_view name)
{
	return number_after<std::uint16_t>(name, alua_prefix);
}

std::string tpg_dir(std::uint16_t tag)
{
	return std::string(tpg_prefix) + std::to_string(tag);
}

std::optional<std::uint16_t> tpg_tag_of(std::string_view dir)
{
	return number_after<std::uint16_t>(dir, tpg_prefix);
}

std::string portal_dir(const LioPortal& portal)
{
	const std::string port = ":" + std::to_string(portal.port);
	if (address_family(portal.address) == "ipv6")
		return "[" + portal.address + "]" + port;
	return portal.address + port;
}

std::string lio_unit_serial(std::string_view cluster_id, std::uint32_t volume_id)
{
	return volume_uuid(cluster_id, volume_id);
}

std::optional<std::string> lio_iqn_problem(std::string_view iqn)
{
	if (auto problem = iqn_problem(iqn))
		return problem;
	if (iqn.size() > max_lio_iqn_chars)
		return "is " + std::to_string(iqn.size()) + " characters long, more than " +
		       std::to_string(max_lio_iqn_chars);
	if (iqn.find('/') != std::string_view::npos)
		return std::string("holds a '/' (it becomes a configfs directory name)");
	return std::nullopt;
}

} // namespace hpsd::exports
