// SPDX-License-Identifier: GPL-2.0-only
// The cluster id as the config spells it: a UUID, 32 hex digits grouped
// 8-4-4-4-12 as uuidgen prints them.  On the wire it is those 16 bytes
// (the handshake's cluster_id), so the hex in a handshake's log line is
// the config's id without its dashes.
#pragma once

#include "util/result.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace hpsd {

using ClusterUuid = std::array<std::uint8_t, 16>;

// Either case.  The error completes a sentence about the value: "is not
// a UUID ...".  The nil UUID (all zeros) is refused: it is what an unset
// id looks like.
hps::Result<ClusterUuid, std::string> parse_cluster_id(std::string_view text);
// Lower case, 8-4-4-4-12.
std::string cluster_id_text(const ClusterUuid& id);

} // namespace hpsd
