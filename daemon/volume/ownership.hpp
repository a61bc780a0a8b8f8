// SPDX-License-Identifier: GPL-2.0-only
// Who may write a replicated volume back to Ceph, decided by Ceph itself
// (design.md, "Cluster state and fencing"): the node holding the RBD
// image's advisory lock.  Its cookie names the node and the addresses of
// every Ceph client of that node's hpsd:
//
//   hps-owner node=stor-1 addrs=10.0.0.1:0/3141,10.0.0.1:0/2718
//
// Taking the image from another node (promotion) blocklists each of those
// addresses at the OSDs before breaking the lock, so the old primary's
// writes -- writeback, write-through, anything still in flight -- are
// refused from then on, whether that node is dead or only cut off.  A
// node that finds another node's cookie when it starts knows it was
// replaced while it was away and must neither serve nor write back.
//
// The lock is advisory: librbd does not enforce it on I/O; the blocklist
// is the fence, the lock is the record of who fenced whom.
#pragma once

#include "volume/image_store.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hps::volume {

struct OwnerCookie {
	std::string node;
	std::vector<std::string> addresses;
};

std::string format_owner_cookie(const OwnerCookie& cookie);
// std::nullopt: not an hps cookie (someone else's lock).
std::optional<OwnerCookie> parse_owner_cookie(std::string_view text);

enum class ClaimMode {
	// At create and at start: take a free image, or take it back from
	// this node's own earlier hpsd; never from another node.
	keep,
	// Promotion: take it from whichever node holds it, fencing that node.
	take_over,
};

struct Claim {
	bool held = false;	       // this hpsd holds the image now
	bool already = false;	       // it did before the call (nothing changed)
	std::string owner;	       // !held: the node that holds it
	std::vector<std::string> fenced; // addresses blocklisted by this call
	std::string fenced_node;	 // whose lock was broken (may be this node's old hpsd)
};

// Makes `node` the holder of `image` as far as `mode` allows.  An error
// (one line naming the image) when Ceph cannot be asked or refuses, or a
// lock that is not hps's is on the image: then nothing was taken, though
// addresses may already be blocklisted (a retry finishes the job).
hps::Result<Claim, std::string> claim_image(ImageStore& images, const std::string& image,
					    const std::string& node, ClaimMode mode);

// The peer's copy is outdated: the primary went on without it.  Kept in the
// image's metadata under `outdated_key` (value: the node whose copy is
// outdated), written by the primary before the first write completes
// without its peer (DRBD's "outdate the peer", through Ceph); a promotion
// of that node is refused unless forced.  Cleared when the peer is in sync
// again.
inline constexpr const char* outdated_key = "hps.outdated";

enum class OutdatedResult { recorded, fenced, failed };
struct OutdatedOutcome {
	OutdatedResult result = OutdatedResult::failed;
	std::string why; // fenced, failed: one line
};

// Records `peer`'s copy of `image` as outdated, after checking that `node`
// still holds the image: fenced when another node does or this client is
// blocklisted (then the record is not written), failed when Ceph cannot
// be asked.
OutdatedOutcome record_peer_outdated(ImageStore& images, const std::string& image,
				     const std::string& node, const std::string& peer);
hps::Result<void, std::string> clear_peer_outdated(ImageStore& images, const std::string& image);

// Does this hpsd still hold `image` (ownership lease, kmod/FORMAT.md)?
// taken: another node holds it, or this client is blocklisted -- for
// good, this copy must neither serve nor write back; unknown: Ceph could
// not be asked, or the lock is gone or not this hpsd's (an admin's `rbd
// lock rm`, a promotion half done): not confirmed, but not final either.
enum class Ownership { held, taken, unknown };
struct OwnershipCheck {
	Ownership state = Ownership::unknown;
	std::string why; // taken, unknown: one line
};
OwnershipCheck confirm_ownership(ImageStore& images, const std::string& image,
				 const std::string& node);
// The node whose copy of `image` is recorded outdated, if any.
hps::Result<std::optional<std::string>, std::string> outdated_copy(ImageStore& images,
								  const std::string& image);

// Lets go of `image` if this node holds it (volume delete); no lock, or
// another's, is not an error.
hps::Result<void, std::string> release_image_claim(ImageStore& images, const std::string& image,
						   const std::string& node);

} // namespace hps::volume
