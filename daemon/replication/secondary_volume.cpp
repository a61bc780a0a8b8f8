// SPDX-License-Identifier: GPL-2.0-only
#include "replication/secondary_volume.hpp"

#include "util/errno_text.hpp"
#include "util/unique_fd.hpp"

#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

namespace hpsd::replication {
namespace {

// Commits what the device holds (its cache metadata, for a dm-hps volume):
// "" or why not.
std::string commit_device(const std::filesystem::path& device)
{
	hps::UniqueFd fd(::open(device.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd.valid())
		return "open " + device.string() + ": " + hps::errno_text(errno);
	if (::fsync(fd.get()) != 0)
		return "fsync " + device.string() + ": " + hps::errno_text(errno);
	return {};
}

} // namespace

SecondaryVolume::SecondaryVolume(boost::asio::io_context& io, std::shared_ptr<Link> link,
				 LogFn log, const ApplierOptions& options,
				 MarkSecondaryClean mark_clean, bool was_in_sync)
	: io_(io), link_(std::move(link)), log_(std::move(log)), options_(options),
	  mark_clean_(std::move(mark_clean)), was_in_sync_(was_in_sync),
	  alive_(std::make_shared<bool>(true))
{
}

SecondaryVolume::~SecondaryVolume()
{
	*alive_ = false;
	if (applier_)
		applier_->stop();
}

void SecondaryVolume::log(LogLevel level, const std::string& line) const
{
	if (log_)
		log_(level, "replication: volume " + (name_.empty() ? std::string("?") : name_) +
				    " (secondary): " + line);
}

void SecondaryVolume::send(Message message)
{
	outbox_.push_back(std::move(message));
	writable();
}

void SecondaryVolume::writable()
{
	while (!outbox_.empty() && link_->is_open()) {
		auto sent = link_->send(outbox_.front());
		if (!sent && sent.error().kind == SendError::Kind::queue_full)
			return;
		// Sent, or the link is closing (on_lost follows): either way done.
		outbox_.pop_front();
	}
}

hps::Result<void, std::string> SecondaryVolume::on_message(const Message& message,
							   const EnsureSecondary& ensure)
{
	if (const auto* attach = std::get_if<Attach>(&message)) {
		if (attached_)
			return hps::fail("second ATTACH of volume " + std::to_string(attach->volume));
		name_ = attach->name;
		auto device = ensure(*attach, link_->peer().node);
		if (!device) {
			log(LogLevel::error, "refused ATTACH from " + link_->name() + ": errno " +
						     std::to_string(device.error()));
			send(AttachAck{attach->volume, static_cast<std::uint32_t>(device.error())});
			return {};
		}
		device_ = *device;
		attached_ = true;
		bool kept = false;
		if (was_in_sync_) {
			// Nothing writes the copy between links: this commits
			// every write acked on the last one.
			const std::string why = commit_device(device_);
			kept = why.empty();
			if (!kept)
				log(LogLevel::warn, "cannot commit the copy (" + why +
							    "): not kept, the primary resyncs it whole");
		}
		log(LogLevel::info, "attached by " + link_->name() + " on " + device_.string() +
					    (kept ? "; copy kept since the last link" : ""));
		send(AttachAck{attach->volume, 0, kept});
		return {};
	}
	if (!attached_)
		return hps::fail(describe(message) + " before ATTACH");

	if (const auto* begin = std::get_if<ResyncBegin>(&message)) {
		if (!applier_) {
			auto self = std::weak_ptr<bool>(alive_);
			const std::uint32_t volume = begin->volume;
			ApplierSink sink{
				[this, self](const WriteAck& ack) {
					if (auto a = self.lock(); a && *a)
						send(ack);
				},
				[this, self](const FlushAck& ack) {
					if (auto a = self.lock(); a && *a)
						send(ack);
				},
			};
			auto opened = ReplicaApplier::open(io_, device_, volume, begin->first_seq,
							   options_, std::move(sink));
			if (!opened) {
				// Nothing can be stored: the primary must not count on
				// this copy, so the link goes (it retries later).
				return hps::fail("cannot open " + device_.string() + ": " + opened.error());
			}
			applier_ = std::move(opened).value();
		}
		if (begin->bytes_planned > 0) {
			resyncing_ = true;
			applier_->begin_resync();
		}
		in_sync_ = begin->bytes_planned == 0;
		log(LogLevel::info, "resync begins at seq " + std::to_string(begin->first_seq) + ", " +
					    std::to_string(begin->bytes_planned) + " bytes planned");
		return {};
	}
	if (!applier_)
		return hps::fail(describe(message) + " before RESYNC_BEGIN");

	if (const auto* w = std::get_if<Write>(&message))
		return applier_->write(*w);
	if (const auto* d = std::get_if<Discard>(&message))
		return applier_->discard(*d);
	if (const auto* f = std::get_if<Flush>(&message))
		return applier_->flush(*f);
	if (const auto* end = std::get_if<ResyncEnd>(&message)) {
		if (resyncing_)
			applier_->end_resync();
		resyncing_ = false;
		in_sync_ = end->status == 0;
		log(LogLevel::info, "resync ended at seq " + std::to_string(end->last_seq) + ", " +
					    std::to_string(end->bytes_sent) + " bytes");
		return {};
	}
	if (const auto* clean = std::get_if<Clean>(&message)) {
		// What no newer or unfinished write touched goes clean now, in
		// order with the applier's writes (replica_applier.hpp).
		MarkClean mark;
		if (mark_clean_)
			mark = [this](const std::vector<hps::ByteRange>& ranges) {
				return mark_clean_(name_, ranges);
			};
		auto status = applier_->clean(*clean, mark);
		if (!status)
			return hps::fail(std::move(status).error());
		if (*status != 0)
			log(LogLevel::warn, "CLEAN batch " + std::to_string(clean->batch) +
						    ": marking clean failed: errno " +
						    std::to_string(*status) + "; the blocks stay dirty");
		send(CleanAck{clean->volume, clean->batch, *status});
		return {};
	}
	return hps::fail(describe(message) + " is not a message for a secondary");
}

SecondaryVolumeStatus SecondaryVolume::status() const
{
	SecondaryVolumeStatus s;
	s.name = name_;
	s.peer = link_->peer().node;
	s.resyncing = resyncing_;
	if (applier_)
		s.applier = applier_->counters();
	return s;
}

} // namespace hpsd::replication
