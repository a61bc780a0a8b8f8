// SPDX-License-Identifier: GPL-2.0-only
// The control API's host.* methods and volume.attach / volume.detach
// (daemon/PROTOCOL.md), over the export service; and export's part of
// volume.show / volume.list / volume.delete.
#pragma once

#include "control/dispatcher.hpp"
#include "control/volume_methods.hpp"
#include "export/export_service.hpp"
#include "volume/service.hpp"

#include <functional>
#include <string>

namespace hpsd {

// Whether a volume of that name is registered on this node.
using VolumeExists = std::function<bool(const std::string& name)>;

// `exports` must outlive the dispatcher's use of the handlers.
void add_host_methods(Dispatcher& dispatcher, exports::ExportService& exports,
		      VolumeExists volume_exists);

// volume.show's "export" and the refusal to delete an attached volume.
VolumeExportHooks volume_export_hooks(const exports::ExportService& exports);

// The JSON of a host (its CHAP secret only as "chap": true) and of a
// volume's export (for tests).
hps::api::Json host_json(const exports::Host& host);
hps::api::Json volume_export_json(const exports::VolumeExportView& view, bool enabled);

} // namespace hpsd
