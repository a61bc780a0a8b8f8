// SPDX-License-Identifier: GPL-2.0-only
// Making hpsd's pool and volume service from the config, and starting it.
#pragma once

#include "backend/rbd_session.hpp"
#include "config/config.hpp"
#include "core/log.hpp"
#include "volume/service.hpp"

#include <memory>

namespace hpsd {

// Its RBD images go through `rbd`; `channel_rbd` is hpsd's other Ceph
// client, named in the image locks so that a promotion elsewhere fences
// both.  Both outlive the service.
std::unique_ptr<hps::volume::Service> make_volume_service(const Config& config,
							   backend::RbdSession& rbd,
							   backend::RbdSession& channel_rbd,
							   Logger& log);

// Creates state_dir (0700) if missing and brings up pools and volumes.
// False (logged) when hpsd cannot go on: no state_dir, unreadable registry.
bool start_volume_service(hps::volume::Service& service, const Config& config, Logger& log);

} // namespace hpsd
