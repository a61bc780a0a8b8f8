// SPDX-License-Identifier: GPL-2.0-only
#include "export/nvmet_names.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdlib>

namespace hpsd::exports {
namespace {

using Digest = std::array<unsigned char, 20>;

// hps's own RFC 4122 name space for namespace UUIDs (made once with
// uuidgen; it must never change, or every exported namespace would).
constexpr std::array<unsigned char, 16> uuid_namespace = {0x5e, 0xa4, 0x3b, 0x2e, 0x9c, 0xfa,
							  0x49, 0xb2, 0x84, 0x51, 0x34, 0x81,
							  0x9a, 0x80, 0x82, 0x05};

Digest sha1(std::string_view data)
{
	Digest digest{};
	unsigned int size = 0;
	// SHA-1 because RFC 4122 version 5 is defined with it; nothing here
	// relies on it resisting collisions made on purpose.  A libcrypto
	// without it would make every volume the same namespace: no way on.
	if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha1(), nullptr) != 1 ||
	    size != digest.size())
		std::abort();
	return digest;
}

std::string hex(const unsigned char* bytes, std::size_t n)
{
	static constexpr char digits[] = "0123456789abcdef";
	std::string text;
	for (std::size_t i = 0; i < n; i++) {
		text += digits[bytes[i] >> 4];
		text += digits[bytes[i] & 0xf];
	}
	return text;
}

// The name both derivations hash: the cluster id and the volume id, with a
// NUL between them so that no two pairs spell the same text.
std::string volume_name(std::string_view cluster_id, std::uint32_t volume_id)
{
	std::string name(cluster_id);
	name += '\0';
	name += "vol:" + std::to_string(volume_id);
	return name;
}

constexpr std::array<std::string_view, 5> ana_states = {
	"optimized", "non-optimized", "inaccessible", "persistent-loss", "change"};
static_assert(ana_states.size() == last_hps_ana_group - first_hps_ana_group + 1);

} // namespace

std::string volume_nqn(std::uint32_t volume_id)
{
	return std::string(hps_nqn_prefix) + "vol:" + std::to_string(volume_id);
}

std::string volume_serial(std::string_view cluster_id, std::uint32_t volume_id)
{
	const Digest d =
		sha1("hps-serial" + std::string(1, '\0') + volume_name(cluster_id, volume_id));
	return hex(d.data(), 10);
}

std::string volume_uuid(std::string_view cluster_id, std::uint32_t volume_id)
{
	std::string data(uuid_namespace.begin(), uuid_namespace.end());
	data += volume_name(cluster_id, volume_id);
	Digest d = sha1(data);
	d[6] = static_cast<unsigned char>((d[6] & 0x0f) | 0x50); // version 5
	d[8] = static_cast<unsigned char>((d[8] & 0x3f) | 0x80); // RFC 4122 variant
	return hex(&d[0], 4) + "-" + hex(&d[4], 2) + "-" + hex(&d[6], 2) + "-" + hex(&d[8], 2) +
	       "-" + hex(&d[10], 6);
}

std::optional<std::uint32_t> ana_group_of(std::string_view ana_state)
{
	for (std::size_t i = 0; i < ana_states.size(); i++)
		if (ana_states[i] == ana_state)
			return first_hps_ana_group + static_cast<std::uint32_t>(i);
	return std::nullopt;
}

std::optional<std::string_view> ana_state_of_group(std::uint32_t grpid)
{
	if (grpid < first_hps_ana_group || grpid > last_hps_ana_group)
		return std::nullopt;
	return ana_states[grpid - first_hps_ana_group];
}

std::optional<std::string> nqn_problem(std::string_view nqn)
{
	if (!nqn.starts_with("nqn."))
		return std::string("must start with \"nqn.\"");
	if (nqn.size() > max_nqn_chars)
		return "is " + std::to_string(nqn.size()) + " characters long, more than " +
		       std::to_string(max_nqn_chars);
	for (char c : nqn)
		if (c <= ' ' || c > '~' || c == '/')
			return std::string("may only hold printable ASCII without spaces or '/'");
	return std::nullopt;
}

} // namespace hpsd::exports
