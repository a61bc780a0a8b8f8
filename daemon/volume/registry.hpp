// SPDX-License-Identifier: GPL-2.0-only
// The volume registry: which volumes hpsd manages, persisted as
// <state_dir>/volumes.json so that a restarted hpsd re-creates the same dm
// devices with the same volume ids (the id is what the pool's on-disk index
// stores, so it must never change for a volume nor be given to another one
// while the first is registered).
//
//   {"volumes":[{"name":"db1","id":1,"pool_id":0,"size_bytes":10737418240,
//                "image":"db1"}],"next_id":2}
//
// A replicated volume adds "role" ("primary" or "secondary") and "peer"
// (the other node's name); a standalone one has neither.
//
// "next_id" (optional, default 1 + the highest id) makes ids monotonic: a
// deleted volume's id is not handed to the next volume, because the pool's
// index may still hold blocks tagged with it (delete --force of a dirty
// volume).
#pragma once

#include "util/result.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hps::volume {

// Errors here are one line of text for an operator: they name the file and
// the field, so a plain string is all a caller needs.
template <class T>
using Result = hps::Result<T, std::string>;

// What this node is for a volume (the kernel target's role, design.md
// "Replication"): standalone serves it alone; primary serves it and
// replicates every cached write to `peer`; secondary holds `peer`'s copy.
enum class VolumeRole : std::uint8_t { standalone, primary, secondary };

std::string_view to_string(VolumeRole role) noexcept;
std::optional<VolumeRole> volume_role(std::string_view text) noexcept;

struct VolumeRecord {
	std::string name;
	std::uint32_t id = 0; // 1..2^32-1; 0 is never a volume id
	std::uint32_t pool_id = 0;
	std::uint64_t size_bytes = 0;
	std::string image; // RBD image name in ceph.pool
	VolumeRole role = VolumeRole::standalone;
	std::string peer; // the other node of a primary or secondary; else empty
};

// A primary with a peer: it holds its RBD image's lock (ownership.hpp)
// and serves under the ownership lease.
inline bool replicated_primary(const VolumeRecord& record)
{
	return record.role == VolumeRole::primary && !record.peer.empty();
}

inline constexpr const char* registry_file_name = "volumes.json";

class Registry {
public:
	Registry() = default;

	// Reads <state_dir>/volumes.json.  A missing file is an empty registry
	// (first start); anything unreadable or malformed is an error naming
	// the file and the field, never a silently empty registry, because
	// forgetting volumes would let their ids be handed out again.
	static Result<Registry> load(const std::filesystem::path& state_dir);

	// Parses the file's text; `origin` names it in errors.  Pure, for tests.
	static Result<Registry> parse(std::string_view text, std::string_view origin);

	// The file's text, one line per volume so that a human can diff it.
	std::string serialize() const;

	// Writes <state_dir>/volumes.json atomically: a temp file in the same
	// directory, fsync, rename over the old one, fsync of the directory.
	// A crash leaves either the old or the new registry, never a torn one.
	Result<void> save(const std::filesystem::path& state_dir) const;

	const VolumeRecord* find_by_id(std::uint32_t id) const;
	const VolumeRecord* find_by_name(std::string_view name) const;
	const std::vector<VolumeRecord>& volumes() const noexcept { return volumes_; }

	// Fails (and changes nothing) when the name or the id is taken or the
	// id is 0.
	Result<void> add(VolumeRecord record);
	// False when no volume has that name.
	bool remove(std::string_view name);
	// Changes a volume's role or peer in place; false (and nothing
	// changed) when no volume has that name and id.
	bool replace(const VolumeRecord& record);

	// The id the next volume gets: next_id when free, else the lowest free
	// id above it (wrapping past 2^32-1 to 1); 0 when all are taken.  An
	// id in the registry is never returned.
	std::uint32_t next_free_id() const;
	// The same from `from` on (0 counts as 1): where a cluster-wide
	// allocation (cluster_ids.hpp) resumes past ids other nodes hold.
	std::uint32_t next_free_id(std::uint64_t from) const;

private:
	std::vector<VolumeRecord> volumes_; // in creation order
	std::uint64_t next_id_ = 1;	    // persisted; only grows (see above)
};

// The RBD image of a volume id, read from <state_dir>/volumes.json on each
// call; nullopt when the file cannot be read or has no such id.  hpsd's
// librbd clients call it only for ids they have not opened yet.
std::optional<std::string> image_of(const std::filesystem::path& state_dir, std::uint32_t id);

} // namespace hps::volume
