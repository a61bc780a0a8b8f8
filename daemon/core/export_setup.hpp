// SPDX-License-Identifier: GPL-2.0-only
// Making hpsd's export service from the config and the volume service, and
// keeping it told of the volumes' changes.
#pragma once

#include "api/codec.hpp"
#include "config/config.hpp"
#include "core/log.hpp"
#include "export/export_service.hpp"
#include "volume/service.hpp"

#include <memory>

namespace hpsd {

// The service reads `volumes`' records (a volume is exported only while
// its dm device is a block device) and is reconciled after every registry
// change; both outlive it.  Call start() once the volume service started.
std::unique_ptr<exports::ExportService> make_export_service(const Config& config,
							     hps::volume::Service& volumes,
							     Logger& log);

// status's "export": {"enabled", "configfs", "ports", "applies",
// "last_changes", "last_error", "hosts"}.
hps::api::Json export_status_json(const exports::ExportService& service, const Config& config);

} // namespace hpsd
