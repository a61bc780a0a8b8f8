// SPDX-License-Identifier: GPL-2.0-only
// The control API's pool.* and volume.* methods (daemon/PROTOCOL.md):
// parameter checking and JSON, over volume::Service.
#pragma once

#include "control/dispatcher.hpp"
#include "volume/service.hpp"

namespace hpsd {

// `service` must outlive the dispatcher's use of the handlers.
void add_volume_methods(Dispatcher& dispatcher, hps::volume::Service& service);

// The JSON of one pool and one volume, as in the results (for tests).
hps::api::Json pool_json(const hps::volume::PoolView& pool);
hps::api::Json volume_json(const hps::volume::VolumeView& volume);

} // namespace hpsd
