// SPDX-License-Identifier: GPL-2.0-only
// Keeps the ownership lease of this node's replicated primaries
// (kmod/FORMAT.md, "Ownership lease"; PROTOCOL.md, "Ownership and
// fencing"): every quarter lease it asks Ceph, on the runtime's Ceph
// worker, whether this hpsd still holds each one's RBD image, and renews
// the kernel's lease when it does.  When Ceph cannot be asked the lease
// runs out by itself in the kernel and the volume stops serving until
// Ceph answers again; when another node holds the image (or this client
// is blocklisted) the volume is fenced: every bio fails.
//
// The io thread runs everything here but the Ceph calls.
#pragma once

#include "api/codec.hpp"
#include "config/config.hpp"
#include "core/lease_clock.hpp"
#include "core/log.hpp"
#include "core/serial_worker.hpp"
#include "volume/image_store.hpp"
#include "volume/ownership.hpp"
#include "volume/service.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <string>

namespace hpsd {

class LeaseKeeper {
public:
	// All outlive the keeper; `images` is used on `ceph` only.
	LeaseKeeper(boost::asio::io_context& io, const Config& config,
		    hps::volume::Service& volumes, hps::volume::ImageStore& images,
		    SerialWorker& ceph, Logger& log);
	~LeaseKeeper();
	LeaseKeeper(const LeaseKeeper&) = delete;
	LeaseKeeper& operator=(const LeaseKeeper&) = delete;

	// The first round at once (the volumes wait for it if their lease
	// ran out while no hpsd ran), then one every quarter lease.
	void start();
	// No more rounds; answers still coming are ignored.  Idempotent.
	void stop();

	// This node just took `record` over: its kernel lease lapsed with
	// the promotion (Service), and is renewed once the old primary's
	// lease has surely run out.
	void promoted(const hps::volume::VolumeRecord& record);
	// `record` is no longer a primary here (demoted, deleted): its
	// kernel lease is ended (`lease off`), a fence included.
	void dropped(const hps::volume::VolumeRecord& record);

	// volume.show's replica.lease (PROTOCOL.md).
	hps::api::Json json(const std::string& name) const;

private:
	struct Lease {
		explicit Lease(std::chrono::milliseconds lease) : clock(lease) {}
		LeaseClock clock;
		bool asking = false;
		bool fenced = false;
		std::string last_error; // the last unknown answer, or the fence
	};

	void round();
	void ask(const hps::volume::VolumeRecord& record, Lease& lease);
	void answer(const std::string& name, LeaseClock::Clock::time_point asked,
		    hps::volume::OwnershipCheck check);
	void send(const std::string& name, const std::string& text);

	boost::asio::io_context& io_;
	const Config& config_;
	hps::volume::Service& volumes_;
	hps::volume::ImageStore& images_;
	SerialWorker& ceph_;
	Logger& log_;
	std::chrono::milliseconds lease_;
	boost::asio::steady_timer timer_;
	std::map<std::string, Lease> leases_; // volume name -> its lease
	// Answers posted back from the Ceph worker check it (io thread only).
	std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace hpsd
