// SPDX-License-Identifier: GPL-2.0-only
#include "core/daemon.hpp"

#include "backend/rbd_backend.hpp"
#include "backend/rbd_session.hpp"
#include "channel/channel_server.hpp"
#include "control/control_server.hpp"
#include "control/dispatcher.hpp"
#include "control/host_methods.hpp"
#include "control/socket_path.hpp"
#include "control/volume_methods.hpp"
#include "core/engine_drainer.hpp"
#include "core/export_setup.hpp"
#include "core/replicating_backend.hpp"
#include "core/replication_runtime.hpp"
#include "core/volume_setup.hpp"
#include "status/kernel_abi.hpp"
#include "status/status_report.hpp"
#include "util/version.hpp"
#include "volume/registry.hpp"
#include "writeback/service.hpp"
#include "writeback/status_json.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <optional>

namespace hpsd {
namespace {

using Json = hps::api::Json;
using Clock = std::chrono::steady_clock;

// Stops the replicating backend when it goes out of scope.
class RoutingStop {
public:
	explicit RoutingStop(ReplicatingBackend& routing) : routing_(routing) {}
	~RoutingStop() { routing_.stop(); }
	RoutingStop(const RoutingStop&) = delete;
	RoutingStop& operator=(const RoutingStop&) = delete;

private:
	ReplicatingBackend& routing_;
};

const char* signal_name(int signo)
{
	switch (signo) {
	case SIGTERM:
		return "SIGTERM";
	case SIGINT:
		return "SIGINT";
	default:
		return "a signal";
	}
}

ChannelStatus channel_status(const channel::ChannelServer& server)
{
	const auto s = server.snapshot();
	ChannelStatus status{s.device, s.attached, s.error};
	status.nr_pools = s.info.nr_pools;
	status.nr_volumes = s.info.nr_volumes;
	status.requests_served = s.served;
	status.requests_failed = s.failed;
	status.protocol_errors = s.protocol_errors;
	return status;
}

void add_status_method(Dispatcher& dispatcher, const Config& config, const std::string& config_path,
		       const KernelAbiProbe& probe, const channel::ChannelServer& channel,
		       const exports::ExportService& exports, Clock::time_point started)
{
	dispatcher.add("status",
		       [&config, &config_path, &probe, &channel, &exports, started](
			       const Json& params) -> hps::Result<Json, hps::api::ApiError> {
			       if (auto checked = expect_no_params(params); !checked)
				       return hps::fail(checked.error());
			       auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
				       Clock::now() - started);
			       Json status = build_status(
				       {config, config_path, static_cast<long>(::getpid()), uptime,
					probe.probe(), channel_status(channel)});
			       status["export"] = export_status_json(exports, config);
			       return status;
		       });
}

} // namespace

int run_daemon(const Config& config, const RunOptions& options, Logger& log)
{
	const auto started = Clock::now();
	const std::string config_path = std::filesystem::absolute(options.config_path).string();
	const KernelAbiProbe probe(options.sysfs_module_dir);
	// First, so that it outlives everything that posts to it (the channel's
	// replication requests, the resync reads and barrier).  Its handlers
	// only run inside run()/poll(), and both end before the objects they
	// name are destroyed.
	boost::asio::io_context io;

	// Declared before the io_context: pending handlers reference them, and
	// the io_context must be destroyed (dropping those handlers) first.
	const channel::LogFn channel_log = [&log](LogLevel level, std::string_view line) {
		log.log(level, line);
	};
	// hpsd's Ceph clients, declared first so that they outlive their users.
	// Two, because they wait differently: the channel's I/O (read misses,
	// write-through) waits for Ceph however long it is away, like krbd --
	// a volume's I/O must not fail because the backend paused -- while
	// writeback and the admin calls (create, size, remove) time out, back
	// off and retry.  Each shares its connection and open images among
	// its users.
	backend::RbdSession channel_rbd(config.ceph, backend::RbdTimeouts{300, 0}, channel_log);
	backend::RbdSession rbd(config.ceph, backend::RbdTimeouts{}, channel_log);
	// The backend outlives the channel server, which drains into it.
	// Images are found in the registry file, read again only for a volume
	// id the backend has not opened yet.
	backend::RbdBackend channel_backend(
		channel_rbd,
		[state_dir = std::filesystem::path(config.state_dir)](std::uint32_t id) {
			return hps::volume::image_of(state_dir, id);
		},
		channel_log);
	// Replication requests to the manager (once it runs), the rest to RBD.
	ReplicatingBackend routing(channel_backend, io);
	channel::ChannelServer channel(default_channel_device, routing, channel_log);
	// However this function ends, what the backend holds goes back to the
	// kernel before the channel stops, which waits for the backend.
	const RoutingStop stop_routing(routing);
	Dispatcher dispatcher(log);
	auto volumes = make_volume_service(config, rbd, channel_rbd, log);
	// Reconciled after every change of the volume registry from here on.
	auto exports = make_export_service(config, *volumes, log);
	add_status_method(dispatcher, config, config_path, probe, channel, *exports, started);
	hps::volume::FlushTracker flushes;
	// Replication's own view of the images (the outdated-peer record),
	// used from its worker thread; the service's store is the control
	// loop's.
	auto replication_images = hps::volume::make_rbd_image_store(rbd, {&channel_rbd});
	std::unique_ptr<ReplicationRuntime> replication;
	add_volume_methods(
		dispatcher, *volumes, flushes,
		[&replication](const hps::volume::VolumeRecord& record) {
			return replication ? replication->replica_json(record) : Json(nullptr);
		},
		volume_export_hooks(*exports));
	add_host_methods(dispatcher, *exports, [&volumes](const std::string& name) {
		const auto& records = volumes->records();
		return std::any_of(records.begin(), records.end(),
				   [&name](const hps::volume::VolumeRecord& r) { return r.name == name; });
	});
	dispatcher.add("replication.status",
		       [&replication](const Json& params) -> hps::Result<Json, hps::api::ApiError> {
			       if (auto checked = expect_no_params(params); !checked)
				       return hps::fail(checked.error());
			       if (!replication)
				       return Json{{"running", false}};
			       return replication->status_json();
		       });
	// Registered before the socket exists, so that a SIGTERM arriving
	// during start-up is queued and still removes the socket.
	boost::asio::signal_set signals(io, SIGTERM, SIGINT);
	ControlServer server(io, dispatcher, log);

	if (auto ready = prepare_socket_path(config.control_socket, log); !ready) {
		log.error(ready.error());
		return 1;
	}
	if (auto listening = server.listen(config.control_socket); !listening) {
		log.error(listening.error());
		return 1;
	}
	signals.async_wait([&](const boost::system::error_code& ec, int signo) {
		if (ec)
			return;
		log.info(std::string("received ") + signal_name(signo) + ", shutting down");
		server.stop();
		// Links close (GOODBYE); what waits on the peer completes.
		if (replication)
			replication->stop();
	});

	auto kernel = probe.probe();
	log.info(std::string("hpsd ") + hps::version + " node " + config.node_name + ": listening on " +
		 config.control_socket + "; abi " + std::to_string(daemon_abi_version()) +
		 ", kernel module " +
		 (kernel.module_loaded ? "abi " + (kernel.version ? std::to_string(*kernel.version)
								   : std::string("unknown"))
				       : std::string("not loaded")));
	if (kernel.module_loaded && !abi_compatible(kernel))
		log.warn("dm_hps module speaks a different ABI; hpsd will not drive it");
	// Serves the kernel's requests from here on; retries attaching every
	// second while it cannot (module not loaded yet, old hpsd not gone).
	if (auto started_channel = channel.start(); !started_channel) {
		log.error(started_channel.error());
		return 1;
	}

	// Only now, with the socket ours: a second hpsd must not touch dm.
	if (!start_volume_service(*volumes, config, log)) {
		volumes->on_records_changed({});
		return 1;
	}
	// After the volumes, so that nvmet gets their devices: configfs is
	// empty after a reboot and still holds the last state after an hpsd
	// restart; either way this makes it say the current one.
	if (auto started_export = exports->start(); !started_export) {
		log.error(started_export.error());
		volumes->on_records_changed({});
		return 1;
	}
	const writeback::ChannelIoctl channel_ioctl = [&channel](unsigned long request, void* arg) {
		return channel.ioctl(request, arg);
	};
	replication = ReplicationRuntime::start(io, config, *volumes, *replication_images, routing,
						log, channel_ioctl);

	// Writeback drains the pools' dirty blocks to RBD through the channel's
	// descriptor; stopped before the channel so that what it wrote is
	// flushed and reported first.  It sends the primaries' clean marks to
	// their peers through replication, which outlives it.
	auto writeback = writeback::WritebackService::start(
		config, rbd, [&log](LogLevel level, std::string_view line) { log.log(level, line); },
		channel_ioctl, replication ? replication->cleaner() : nullptr);
	std::optional<EngineDrainer> drainer;
	if (writeback) {
		drainer.emplace((*writeback)->engine());
		flushes.attach(*drainer);
	}
	if (!writeback)
		log.error(writeback.error());
	else
		dispatcher.add("writeback.status",
			       [&engine = (*writeback)->engine()](
				       const Json& params) -> hps::Result<Json, hps::api::ApiError> {
				       if (auto checked = expect_no_params(params); !checked)
					       return hps::fail(checked.error());
				       return writeback::status_json(engine.status());
			       });

	// A volume deleted (its image removed or kept): both users of the image
	// release their shares, and with the last one each session closes it
	// (RBD refuses to remove an image someone has open; the session's
	// remove refuses too while a share of its own is left, naming the image).
	volumes->on_image_release(
		[&channel_backend, &writeback](const hps::volume::VolumeRecord& record) {
			channel_backend.release_image(record.id);
			if (writeback)
				(*writeback)->release_image(record.image);
		});

	io.run();
	// Replication requests posted after the loop ended complete now, as
	// on a lost peer (the manager is detached), so the channel can drain.
	if (replication)
		replication->stop();
	io.restart();
	io.poll();
	volumes->on_image_release({});
	volumes->on_records_changed({});
	flushes.detach();
	if (writeback)
		(*writeback)->stop();
	channel.stop();
	log.info("stopped");
	return 0;
}

} // namespace hpsd
