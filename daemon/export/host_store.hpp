// SPDX-License-Identifier: GPL-2.0-only
// The compute hosts this node exports to, and which volumes each may
// reach: <state_dir>/hosts.json, written atomically (mode 0600: it holds
// CHAP secrets).
//
//   {"hosts":[{"name":"web1","nqn":"nqn.2014-08.org.nvmexpress:uuid:...",
//              "volumes":["db1"]}]}
//
// "iqn" and "chap_secret" are optional (for iSCSI).  Attachments live here,
// by volume name, rather than in the volume registry: a volume's name is
// the same on every node that holds a copy while its id is not (ids are per
// node, volumes.json), the registry is read by hpsd's I/O path (image_of)
// and should not grow with export state, and the per-host limit is a
// property of the host.
#pragma once

#include "util/result.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hpsd::exports {

struct Host {
	std::string name;
	std::string nqn;	 // required: NVMe-oF allows hosts by NQN
	std::string iqn;	 // optional: the iSCSI initiator name
	std::string chap_secret; // optional: its iSCSI CHAP secret
	std::vector<std::string> volumes; // attached volume names, sorted

	bool operator==(const Host&) const = default;
};

// design.md, "Cluster control plane": <= 255 attached volumes per host.
inline constexpr std::size_t max_volumes_per_host = 255;
inline constexpr const char* hosts_file_name = "hosts.json";

enum class HostErrorKind { invalid, not_found, conflict, io };

struct HostError {
	HostErrorKind kind = HostErrorKind::invalid;
	std::string message; // one line naming the host and the field or value
};

template <class T>
using HostResult = hps::Result<T, HostError>;

// Why a value is not acceptable, or nothing.  The text completes "host
// name \"x\" ...".
std::optional<std::string> host_name_problem(std::string_view name);
std::optional<std::string> iqn_problem(std::string_view iqn);
std::optional<std::string> chap_secret_problem(std::string_view secret);

class HostStore {
public:
	HostStore() = default;

	// Reads <state_dir>/hosts.json; a missing file is no hosts.
	static hps::Result<HostStore, std::string> load(const std::filesystem::path& state_dir);
	// Parses the file's text; `origin` names it in errors.
	static hps::Result<HostStore, std::string> parse(std::string_view text,
							 std::string_view origin);
	std::string serialize() const;
	hps::Result<void, std::string> save(const std::filesystem::path& state_dir) const;

	const std::vector<Host>& hosts() const noexcept { return hosts_; }
	const Host* find(std::string_view name) const;
	// The hosts a volume is attached to, by name.
	std::vector<const Host*> hosts_of(std::string_view volume) const;

	// True: added; false: an identical host was there already.  A host of
	// that name with other values, or another host with that NQN, is a
	// conflict; bad values are invalid.  `host.volumes` must be empty.
	HostResult<bool> add(Host host);
	// A host still attached to a volume is a conflict.
	HostResult<void> remove(std::string_view name);
	// True: attached; false: it was already.  Over the per-host limit is a
	// conflict.
	HostResult<bool> attach(std::string_view host, std::string_view volume);
	// True: detached; false: it was not attached.
	HostResult<bool> detach(std::string_view host, std::string_view volume);

private:
	Host* find_mutable(std::string_view name);

	std::vector<Host> hosts_; // in the order they were added
};

} // namespace hpsd::exports
