// SPDX-License-Identifier: GPL-2.0-only
// Volume ids are cluster-wide.  A volume's id names it to compute hosts
// (the NVMe subsystem nqn.2014-08.org.hps:vol:<id>, the iSCSI target), so
// its two copies must carry the same id (the secondary takes the
// primary's, from ATTACH) and no two volumes of a cluster may share one,
// whichever nodes made them.  Each id in use is a RADOS object
// hps.volume_id.<id> in the images' pool holding the image's name; the
// OSD's exclusive create decides a race between two nodes.  A hint object
// keeps allocation from walking over every id other nodes hold.
#pragma once

#include "util/result.hpp"
#include "volume/image_store.hpp"
#include "volume/registry.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace hps::volume {

std::string volume_id_object(std::uint32_t id); // "hps.volume_id.<id>"
inline constexpr const char* volume_id_hint_object = "hps.volume_id.next";
// How many taken ids one allocation steps over before it gives up.
inline constexpr unsigned max_id_attempts = 1024;

// The image's metadata key that remembers its id: a volume deleted with
// its image kept and made again gets the same id, so compute hosts see the
// same NQN.
inline constexpr const char* volume_id_metadata_key = "hps.volume_id";

// The id in `text` (the metadata's value); 0 when it is not one.
std::uint32_t parse_volume_id(std::string_view text);

// An id for the volume of `image`: free in `local` and now held by
// `image` in the cluster (or held by it already: a retry after a failed
// create, or the image's id from before).  `preferred` (0: none) is tried
// first.  Errors are one line: Ceph's, or every id tried was taken.
hps::Result<std::uint32_t, std::string> claim_volume_id(ImageStore& store, const Registry& local,
							 const std::string& image,
							 std::uint32_t preferred = 0);

// Gives `id` back when `image` holds it; another image's id is left alone.
// For a volume whose image is removed: while the image stays, so does its
// id.
hps::Result<void, std::string> release_volume_id(ImageStore& store, std::uint32_t id,
						 const std::string& image);

} // namespace hps::volume
