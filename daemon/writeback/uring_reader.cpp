// SPDX-License-Identifier: GPL-2.0-only
#include "writeback/uring_reader.hpp"

#include "util/errno_text.hpp"

#include <fcntl.h>

#include <cerrno>
#include <fstream>
#include <string>

namespace hpsd::writeback {
namespace {

// user_data of the NOP that wakes the reaper to stop; reads carry a pointer.
constexpr std::uint64_t stop_user_data = 0;

} // namespace

hps::Result<std::unique_ptr<UringReader>, std::string> UringReader::create(unsigned entries)
{
	auto self = std::make_unique<UringReader>(Key{});
	if (int r = io_uring_queue_init(entries, &self->ring_, 0); r < 0)
		return hps::fail("writeback: io_uring_queue_init: " + hps::errno_text(-r));
	self->ring_ready_ = true;
	// The completion queue is twice the submission queue; one slot stays
	// free for the stop NOP.
	self->capacity_ = self->ring_.cq.ring_entries - 1;
	UringReader* raw = self.get();
	self->reaper_ = std::thread([raw] { raw->reap(); });
	return self;
}

UringReader::~UringReader()
{
	if (reaper_.joinable()) {
		{
			std::lock_guard lock(mutex_);
			stop_ = true;
			if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_)) {
				io_uring_prep_nop(sqe);
				io_uring_sqe_set_data64(sqe, stop_user_data);
			}
			io_uring_submit(&ring_);
		}
		reaper_.join();
	}
	if (ring_ready_)
		io_uring_queue_exit(&ring_);
}

int UringReader::fd_for(CacheDevice device)
{
	const auto key = std::make_pair(device.major, device.minor);
	if (auto it = fds_.find(key); it != fds_.end())
		return it->second.get();
	const std::string numbers = std::to_string(device.major) + ":" + std::to_string(device.minor);
	// /dev/block/M:m is udev's; without udev (early boot, the lab) the
	// kernel's own name from sysfs is the way in.
	std::string path = "/dev/block/" + numbers;
	std::ifstream uevent("/sys/dev/block/" + numbers + "/uevent");
	for (std::string line; std::getline(uevent, line);)
		if (line.starts_with("DEVNAME="))
			path = "/dev/" + line.substr(8);
	hps::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC));
	if (!fd.valid())
		return -errno;
	const int raw = fd.get();
	fds_.emplace(key, std::move(fd));
	return raw;
}

void UringReader::read(CacheDevice device, std::uint64_t offset, std::span<std::byte> into,
		       IoCallback done)
{
	int fd = 0;
	{
		std::lock_guard lock(mutex_);
		fd = fd_for(device);
		if (fd >= 0) {
			queued_.push_back(std::make_unique<Read>(Read{fd, offset, into, std::move(done)}));
			submit_locked();
			return;
		}
	}
	done(fd);
}

void UringReader::read_many(CacheDevice device, std::vector<CacheRead> reads)
{
	int fd = 0;
	{
		std::lock_guard lock(mutex_);
		fd = fd_for(device);
		if (fd >= 0) {
			for (CacheRead& r : reads)
				queued_.push_back(std::make_unique<Read>(
					Read{fd, r.offset, r.into, std::move(r.done)}));
			submit_locked();
			return;
		}
	}
	for (CacheRead& r : reads)
		r.done(fd);
}

void UringReader::submit_locked()
{
	bool any = false;
	while (!queued_.empty() && inflight_ < capacity_) {
		io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
		if (!sqe) {
			io_uring_submit(&ring_);
			sqe = io_uring_get_sqe(&ring_);
			if (!sqe)
				break; // the reaper submits the rest as reads complete
		}
		std::unique_ptr<Read> read = std::move(queued_.front());
		queued_.pop_front();
		io_uring_prep_read(sqe, read->fd, read->into.data(),
				   static_cast<unsigned>(read->into.size()), read->offset);
		io_uring_sqe_set_data(sqe, read.release()); // the reaper's from here
		++inflight_;
		any = true;
	}
	if (any)
		io_uring_submit(&ring_);
}

void UringReader::reap()
{
	bool stop_seen = false;
	for (;;) {
		{
			std::lock_guard lock(mutex_);
			if (stop_seen && inflight_ == 0 && queued_.empty())
				return;
		}
		io_uring_cqe* cqe = nullptr;
		const int r = io_uring_wait_cqe(&ring_, &cqe);
		if (r == -EINTR || r == -EAGAIN)
			continue;
		if (r < 0)
			return; // cannot happen with a live ring; the destructor joins
		const std::uint64_t data = io_uring_cqe_get_data64(cqe);
		const int res = cqe->res;
		io_uring_cqe_seen(&ring_, cqe);
		if (data == stop_user_data) {
			stop_seen = true;
			continue;
		}
		std::unique_ptr<Read> read(reinterpret_cast<Read*>(data));
		int result = 0;
		if (res < 0)
			result = res;
		else if (static_cast<std::size_t>(res) != read->into.size())
			result = -EIO; // short: past the device's end
		{
			std::lock_guard lock(mutex_);
			--inflight_;
			submit_locked();
		}
		read->done(result);
	}
}

} // namespace hpsd::writeback
