// SPDX-License-Identifier: GPL-2.0-only
#include "volume/ownership.hpp"

#include <algorithm>
#include <cerrno>

namespace hps::volume {
namespace {

constexpr std::string_view cookie_prefix = "hps-owner ";

bool valid_word(std::string_view s)
{
	return !s.empty() && s.find_first_of(" ,") == std::string_view::npos;
}

} // namespace

std::string format_owner_cookie(const OwnerCookie& cookie)
{
	std::string out = std::string(cookie_prefix) + "node=" + cookie.node + " addrs=";
	for (std::size_t i = 0; i < cookie.addresses.size(); ++i)
		out += (i ? "," : "") + cookie.addresses[i];
	return out;
}

std::optional<OwnerCookie> parse_owner_cookie(std::string_view text)
{
	if (text.substr(0, cookie_prefix.size()) != cookie_prefix)
		return std::nullopt;
	text.remove_prefix(cookie_prefix.size());
	const auto space = text.find(' ');
	if (space == std::string_view::npos)
		return std::nullopt;
	std::string_view node = text.substr(0, space);
	std::string_view addrs = text.substr(space + 1);
	if (node.substr(0, 5) != "node=" || addrs.substr(0, 6) != "addrs=")
		return std::nullopt;
	node.remove_prefix(5);
	addrs.remove_prefix(6);
	if (!valid_word(node))
		return std::nullopt;
	OwnerCookie cookie{std::string(node), {}};
	while (!addrs.empty()) {
		const auto comma = addrs.find(',');
		std::string_view one = addrs.substr(0, comma);
		if (!valid_word(one))
			return std::nullopt;
		cookie.addresses.emplace_back(one);
		addrs = comma == std::string_view::npos ? std::string_view{} : addrs.substr(comma + 1);
	}
	return cookie;
}

hps::Result<Claim, std::string> claim_image(ImageStore& images, const std::string& image,
					    const std::string& node, ClaimMode mode)
{
	auto addresses = images.client_addresses();
	if (!addresses)
		return hps::fail("cannot claim RBD image " + images.describe(image) + ": " +
				 addresses.error());
	const std::string mine = format_owner_cookie({node, *addresses});
	auto lockers = images.lockers(image);
	if (!lockers)
		return hps::fail(lockers.error().message);

	Claim claim;
	std::vector<std::pair<ImageLocker, OwnerCookie>> stale;
	for (const auto& locker : *lockers) {
		if (locker.cookie == mine) {
			claim.already = true;
			continue;
		}
		auto owner = parse_owner_cookie(locker.cookie);
		if (!owner)
			return hps::fail("RBD image " + images.describe(image) + " is locked by " +
					 locker.client + " (cookie \"" + locker.cookie +
					 "\"), which is not hps: remove that lock first "
					 "(rbd lock rm)");
		if (owner->node != node && mode == ClaimMode::keep) {
			claim.owner = owner->node;
			return claim;
		}
		stale.emplace_back(locker, std::move(*owner));
	}
	if (claim.already && stale.empty()) {
		claim.held = true;
		return claim;
	}
	// Fence first, then break: once the lock is gone the old holder's
	// writes must already be refused.
	for (const auto& [locker, owner] : stale) {
		std::vector<std::string> targets = owner.addresses;
		if (!locker.address.empty() &&
		    std::find(targets.begin(), targets.end(), locker.address) == targets.end())
			targets.push_back(locker.address);
		for (const auto& address : targets) {
			if (std::find(addresses->begin(), addresses->end(), address) != addresses->end())
				continue; // never this hpsd itself
			if (auto done = images.blocklist(address); !done)
				return hps::fail(done.error());
			claim.fenced.push_back(address);
		}
		if (auto broken = images.break_lock(image, locker); !broken)
			return hps::fail(broken.error());
		claim.fenced_node = owner.node;
	}
	if (!claim.already)
		if (auto locked = images.lock(image, mine); !locked)
			return hps::fail(locked.error());
	claim.held = true;
	return claim;
}

hps::Result<void, std::string> release_image_claim(ImageStore& images, const std::string& image,
						   const std::string& node)
{
	auto lockers = images.lockers(image);
	if (!lockers)
		return hps::fail(lockers.error().message);
	auto addresses = images.client_addresses();
	if (!addresses)
		return hps::fail(addresses.error());
	const std::string mine = format_owner_cookie({node, *addresses});
	for (const auto& locker : *lockers)
		if (locker.cookie == mine)
			return images.unlock(image, mine);
	return {};
}

OutdatedOutcome record_peer_outdated(ImageStore& images, const std::string& image,
				     const std::string& node, const std::string& peer)
{
	auto lockers = images.lockers(image);
	if (!lockers)
		return {lockers.error().code == -ESHUTDOWN ? OutdatedResult::fenced
							   : OutdatedResult::failed,
			lockers.error().message};
	for (const auto& locker : *lockers) {
		auto owner = parse_owner_cookie(locker.cookie);
		if (!owner || owner->node != node)
			return {OutdatedResult::fenced,
				"RBD image " + images.describe(image) + " is held by " +
					(owner ? owner->node : locker.client) + ", not this node"};
	}
	auto set = images.set_metadata(image, outdated_key, peer);
	if (!set)
		return {set.error().code == -ESHUTDOWN ? OutdatedResult::fenced : OutdatedResult::failed,
			set.error().message};
	return {OutdatedResult::recorded, {}};
}

OwnershipCheck confirm_ownership(ImageStore& images, const std::string& image,
				 const std::string& node)
{
	auto addresses = images.client_addresses();
	if (!addresses)
		return {Ownership::unknown, addresses.error()};
	auto lockers = images.lockers(image);
	if (!lockers)
		return {lockers.error().code == -ESHUTDOWN ? Ownership::taken : Ownership::unknown,
			lockers.error().message};
	const std::string mine = format_owner_cookie({node, *addresses});
	for (const auto& locker : *lockers) {
		if (locker.cookie == mine)
			return {Ownership::held, {}};
		auto owner = parse_owner_cookie(locker.cookie);
		if (owner && owner->node != node)
			return {Ownership::taken, "RBD image " + images.describe(image) +
							  " is held by " + owner->node};
	}
	return {Ownership::unknown, "RBD image " + images.describe(image) +
					    (lockers->empty() ? " is not locked"
							      : " is locked, but not by this hpsd")};
}

hps::Result<void, std::string> clear_peer_outdated(ImageStore& images, const std::string& image)
{
	if (auto removed = images.remove_metadata(image, outdated_key); !removed)
		return hps::fail(removed.error().message);
	return {};
}

hps::Result<std::optional<std::string>, std::string> outdated_copy(ImageStore& images,
								  const std::string& image)
{
	auto value = images.metadata(image, outdated_key);
	if (!value)
		return hps::fail(value.error().message);
	return *value;
}

} // namespace hps::volume
