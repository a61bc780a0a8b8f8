// SPDX-License-Identifier: GPL-2.0-only
#include "core/lease_keeper.hpp"

#include "dm/control.hpp"
#include "volume/naming.hpp"

#include <boost/asio/post.hpp>

#include <cerrno>

namespace hpsd {
namespace {

using hps::volume::Ownership;
using hps::volume::VolumeRecord;
using Clock = LeaseClock::Clock;

} // namespace

LeaseKeeper::LeaseKeeper(boost::asio::io_context& io, const Config& config,
			 hps::volume::Service& volumes, hps::volume::ImageStore& images,
			 SerialWorker& ceph, Logger& log)
	: io_(io), config_(config), volumes_(volumes), images_(images), ceph_(ceph), log_(log),
	  lease_(config.replication.lease_ms), timer_(io)
{
}

LeaseKeeper::~LeaseKeeper()
{
	stop();
}

void LeaseKeeper::start()
{
	round();
}

void LeaseKeeper::stop()
{
	*alive_ = false;
	timer_.cancel();
}

void LeaseKeeper::round()
{
	if (!*alive_)
		return;
	// Forget volumes that are no longer primaries here; ask for the rest.
	std::map<std::string, Lease> kept;
	for (const VolumeRecord& record : volumes_.records()) {
		if (!hps::volume::replicated_primary(record))
			continue;
		auto found = leases_.find(record.name);
		auto [it, added] = kept.emplace(record.name, found == leases_.end()
								     ? Lease(lease_)
								     : std::move(found->second));
		(void)added;
		ask(record, it->second);
	}
	leases_ = std::move(kept);
	timer_.expires_after(lease_ / 4);
	timer_.async_wait([this, alive = alive_](const boost::system::error_code& e) {
		if (!e && *alive)
			round();
	});
}

void LeaseKeeper::ask(const VolumeRecord& record, Lease& lease)
{
	// One question at a time: a Ceph that takes its full timeout to
	// answer must not pile them up.  A fenced copy stays fenced.
	if (lease.asking || lease.fenced)
		return;
	lease.asking = true;
	const auto asked = Clock::now();
	ceph_.post([this, alive = alive_, name = record.name, image = record.image, asked] {
		auto check = hps::volume::confirm_ownership(images_, image, config_.node_name);
		boost::asio::post(io_, [this, alive, name, asked, check = std::move(check)]() mutable {
			if (*alive)
				answer(name, asked, std::move(check));
		});
	});
}

void LeaseKeeper::answer(const std::string& name, Clock::time_point asked,
			 hps::volume::OwnershipCheck check)
{
	auto it = leases_.find(name);
	if (it == leases_.end())
		return; // no longer a primary here
	Lease& lease = it->second;
	lease.asking = false;
	switch (check.state) {
	case Ownership::held:
		if (!lease.last_error.empty())
			log_.info("volume " + name + ": ownership confirmed in Ceph again");
		lease.last_error.clear();
		if (auto ms = lease.clock.confirmed(asked, Clock::now()))
			send(name, "lease " + std::to_string(*ms));
		break;
	case Ownership::unknown:
		// The kernel's lease runs out by itself; say so once per cause.
		if (check.why != lease.last_error)
			log_.warn("volume " + name + ": ownership not confirmed: " + check.why +
				  "; the volume stops serving " + std::to_string(lease_.count()) +
				  " ms after the last confirmation, until Ceph confirms it");
		lease.last_error = check.why;
		break;
	case Ownership::taken:
		log_.error("volume " + name + ": fenced: " + check.why +
			   "; every I/O of this copy fails from now on (it was promoted "
			   "elsewhere; restart hpsd here to make it that node's secondary)");
		lease.fenced = true;
		lease.last_error = check.why;
		send(name, "lease fence");
		break;
	}
}

void LeaseKeeper::promoted(const VolumeRecord& record)
{
	auto [it, added] = leases_.try_emplace(record.name, lease_);
	(void)added;
	it->second.fenced = false;
	it->second.clock.wait_for_old_owner(Clock::now());
	log_.info("volume " + record.name + ": serves in " + std::to_string(lease_.count()) +
		  " ms, once the old primary's ownership lease has run out");
}

void LeaseKeeper::dropped(const VolumeRecord& record)
{
	leases_.erase(record.name);
	send(record.name, "lease off");
}

void LeaseKeeper::send(const std::string& name, const std::string& text)
{
	const std::string device = hps::volume::volume_device_name(name);
	auto dm = hps::dm::Control::open();
	if (!dm) {
		log_.warn("volume " + name + ": " + text + ": " + dm.error().message);
		return;
	}
	if (auto sent = dm->message(device, 0, text); !sent) {
		// No device (its claim waits for Ceph, or it was just removed):
		// nothing serves, nothing to tell.
		if (sent.error().err != ENXIO && sent.error().err != ENODEV)
			log_.warn("volume " + name + ": " + device + ": " + text + ": " +
				  sent.error().message);
	}
}

hps::api::Json LeaseKeeper::json(const std::string& name) const
{
	auto it = leases_.find(name);
	if (it == leases_.end())
		return nullptr;
	const Lease& lease = it->second;
	const auto now = Clock::now();
	const char* state = lease.fenced				 ? "fenced"
			    : lease.clock.waiting_for_old_owner(now) ? "waiting_for_old_primary"
			    : lease.clock.holds(now)			 ? "held"
									 : "lapsed";
	hps::api::Json confirmed_ago = nullptr;
	if (auto last = lease.clock.last_confirmed())
		confirmed_ago = std::chrono::duration_cast<std::chrono::milliseconds>(now - *last).count();
	return hps::api::Json{{"state", state},
			      {"lease_ms", lease_.count()},
			      {"confirmed_ms_ago", confirmed_ago},
			      {"last_error", lease.last_error.empty() ? hps::api::Json(nullptr)
								      : hps::api::Json(lease.last_error)}};
}

} // namespace hpsd
