// SPDX-License-Identifier: GPL-2.0-only
// The control API's pool.* and volume.* methods (daemon/PROTOCOL.md):
// parameter checking and JSON, over volume::Service.
#pragma once

#include "control/dispatcher.hpp"
#include "volume/flush_tracker.hpp"
#include "volume/service.hpp"

#include <functional>
#include <optional>
#include <string>

namespace hpsd {

// `service` and `flushes` must outlive the dispatcher's use of the
// handlers.  volume.flush is refused until a drainer is attached to
// `flushes` (the writeback engine runs).
// A replicated volume's replica state as JSON (replication's view), for
// volume.show/list; null for a volume replication does not know.
using ReplicaJson = std::function<hps::api::Json(const hps::volume::VolumeRecord& record)>;

// Export's part of the volume methods (control/host_methods.hpp).
struct VolumeExportHooks {
	// volume.show/list's "export"; unset: null.
	std::function<hps::api::Json(const hps::volume::VolumeRecord& record)> json;
	// Asked before volume.delete: an error refuses it (a volume still
	// attached to hosts is exported, and nvmet holds its device open).
	std::function<hps::Result<void, hps::api::ApiError>(const std::string& name)> before_delete;
};

void add_volume_methods(Dispatcher& dispatcher, hps::volume::Service& service,
			hps::volume::FlushTracker& flushes, ReplicaJson replica = {},
			VolumeExportHooks exports = {});

// The JSON of one pool and one volume, as in the results (for tests);
// `flush` is the volume's running drain, if any.
hps::api::Json pool_json(const hps::volume::PoolView& pool);
hps::api::Json volume_json(const hps::volume::VolumeView& volume,
			   const std::optional<hps::volume::FlushView>& flush = std::nullopt,
			   const hps::api::Json& replica = nullptr,
			   const hps::api::Json& export_info = nullptr);
// volume.flush's params: the volume's name (for tests).
hps::Result<std::string, hps::api::ApiError> flush_params(const hps::api::Json& params);
// volume.flush's result: the volume's dirty blocks now and its drain.
hps::api::Json flush_result(const hps::volume::VolumeView& volume,
			    const std::optional<hps::volume::FlushView>& flush);

} // namespace hpsd
