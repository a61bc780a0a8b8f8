// SPDX-License-Identifier: GPL-2.0-only
// The control API's view of the writeback engine (`writeback.status`,
// daemon/PROTOCOL.md).  Pure, for tests.
#pragma once

#include "writeback/engine.hpp"

#include <nlohmann/json.hpp>

namespace hpsd::writeback {

nlohmann::json status_json(const EngineStatus& status);
nlohmann::json drain_json(const DrainProgress& progress);

} // namespace hpsd::writeback
