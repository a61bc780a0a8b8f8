// SPDX-License-Identifier: GPL-2.0-only
#include "channel/channel_server.hpp"

#include "util/errno_text.hpp"

#include <linux/dm-hps.h>
#include <liburing.h>

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace hpsd::channel {
namespace {

// user_data of the eventfd read; commands carry their tag (< 2^16).
constexpr std::uint64_t wake_user_data = std::uint64_t{1} << 32;

static_assert(sizeof(hps_uring_cmd) == 16, "the URING_CMD payload of a 64-byte SQE is 16 bytes");
static_assert(offsetof(io_uring_sqe, addr3) == 48, "the SQE's command area starts at addr3");

// An io_uring, closed on destruction.
class Uring {
public:
	Uring() = default;
	Uring(const Uring&) = delete;
	Uring& operator=(const Uring&) = delete;
	~Uring()
	{
		if (ready_)
			io_uring_queue_exit(&ring_);
	}
	int init(unsigned entries)
	{
		const int r = io_uring_queue_init(entries, &ring_, 0);
		ready_ = r == 0;
		return r;
	}
	io_uring* get() noexcept { return &ring_; }

private:
	io_uring ring_{};
	bool ready_ = false;
};

// The ring as the engine sees it: FETCH and COMMIT_AND_FETCH SQEs.
class UringRing final : public Ring {
public:
	UringRing(io_uring* ring, int channel_fd) : ring_(ring), fd_(channel_fd) {}

	void post_fetch(std::uint16_t tag) override { post(tag, HPS_UCMD_FETCH, 0); }
	void post_commit(std::uint16_t tag, int result) override
	{
		post(tag, HPS_UCMD_COMMIT_AND_FETCH, result);
	}

	io_uring_sqe* sqe()
	{
		io_uring_sqe* s = io_uring_get_sqe(ring_);
		if (!s) {
			// The ring has room for every tag's command and the eventfd
			// read; a full SQ only means nothing was submitted yet.
			io_uring_submit(ring_);
			s = io_uring_get_sqe(ring_);
		}
		return s;
	}

private:
	void post(std::uint16_t tag, std::uint32_t op, int result)
	{
		io_uring_sqe* s = sqe();
		if (!s)
			return; // cannot happen with the ring sized as it is
		std::memset(s, 0, sizeof(*s));
		// liburing 2.3 has no helper for URING_CMD: filled by hand.
		s->opcode = IORING_OP_URING_CMD;
		s->fd = fd_;
		s->cmd_op = op;
		s->user_data = tag;
		hps_uring_cmd cmd{};
		cmd.tag = tag;
		cmd.result = result;
		std::memcpy(reinterpret_cast<std::byte*>(s) + offsetof(io_uring_sqe, addr3), &cmd,
			    sizeof(cmd));
	}

	io_uring* ring_;
	int fd_;
};

// The shared area, unmapped on destruction.
class Mapping {
public:
	Mapping(void* p, std::size_t n) : p_(p), n_(n) {}
	Mapping(const Mapping&) = delete;
	Mapping& operator=(const Mapping&) = delete;
	~Mapping()
	{
		if (p_ != MAP_FAILED)
			::munmap(p_, n_);
	}
	bool ok() const noexcept { return p_ != MAP_FAILED; }
	std::byte* bytes() const noexcept { return static_cast<std::byte*>(p_); }

private:
	void* p_;
	std::size_t n_;
};

} // namespace

void CompletionQueue::complete(std::uint16_t tag, int result) noexcept
{
	{
		std::lock_guard lock(mutex_);
		done_.emplace_back(tag, result);
	}
	const std::uint64_t one = 1;
	// An eventfd write only fails when the counter would overflow, and then
	// the ring thread is already due to wake.
	[[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof(one));
}

std::vector<std::pair<std::uint16_t, int>> CompletionQueue::drain()
{
	std::lock_guard lock(mutex_);
	return std::exchange(done_, {});
}

ChannelServer::ChannelServer(std::filesystem::path device, Backend& backend, LogFn log)
	: device_(std::move(device)), backend_(backend), log_(std::move(log)),
	  // Blocking: the ring reads it, and io_uring would answer a read of a
	  // non-blocking eventfd with EAGAIN instead of waiting.
	  wake_(::eventfd(0, EFD_CLOEXEC)), completions_(wake_.get())
{
}

ChannelServer::~ChannelServer()
{
	stop();
}

hps::Result<void, std::string> ChannelServer::start()
{
	if (supervisor_.joinable())
		return {};
	if (!wake_.valid())
		return hps::fail("channel: cannot create an eventfd");
	auto tried = first_try_.get_future();
	supervisor_ = std::thread([this] { supervise(); });
	tried.wait();
	return {};
}

void ChannelServer::stop()
{
	if (!supervisor_.joinable())
		return;
	stop_ = true;
	const std::uint64_t one = 1;
	[[maybe_unused]] auto n = ::write(wake_.get(), &one, sizeof(one));
	supervisor_.join();
}

ChannelSnapshot ChannelServer::snapshot() const
{
	std::lock_guard lock(mutex_);
	ChannelSnapshot s;
	s.device = device_.string();
	s.attached = attached_;
	s.error = error_;
	s.info = info_;
	s.served = totals_.served + current_.served;
	s.failed = totals_.failed + current_.failed;
	s.protocol_errors = totals_.protocol_errors + current_.protocol_errors;
	return s;
}

int ChannelServer::ioctl(unsigned long request, void* arg) const
{
	std::shared_lock lock(fd_mutex_);
	if (fd_ < 0) {
		errno = ENOTCONN;
		return -1;
	}
	return ::ioctl(fd_, request, arg);
}

void ChannelServer::first_try_done()
{
	if (!first_try_done_)
		first_try_.set_value();
	first_try_done_ = true;
}

void ChannelServer::set_error(std::string error)
{
	std::lock_guard lock(mutex_);
	error_ = std::move(error);
}

bool ChannelServer::wait_wake(int timeout_ms)
{
	pollfd p{wake_.get(), POLLIN, 0};
	if (::poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN)) {
		std::uint64_t v = 0;
		[[maybe_unused]] auto n = ::read(wake_.get(), &v, sizeof(v));
	}
	return stop_;
}

void ChannelServer::supervise()
{
	std::string last_error;
	while (!stop_) {
		auto attached = KernelChannel::attach(device_);
		if (!attached) {
			// Logged once per reason: the module may stay unloaded for long.
			if (attached.error() != last_error)
				log_(LogLevel::info, "channel: not attached: " + attached.error());
			last_error = attached.error();
			set_error(attached.error());
			first_try_done();
			if (wait_wake(1000))
				break;
			continue;
		}
		std::optional<KernelChannel> held(std::move(attached).value());
		const KernelChannel& channel = *held;
		const ChannelInfo& info = channel.info();
		Mapping area(::mmap(nullptr, info.map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
				    channel.fd(), 0),
			     info.map_bytes);
		if (!area.ok()) {
			const std::string error = "cannot map " + device_.string() + ": " +
						  hps::errno_text(errno);
			if (error != last_error)
				log_(LogLevel::error, "channel: " + error);
			last_error = error;
			set_error(error);
			first_try_done();
			if (wait_wake(1000))
				break;
			continue;
		}
		last_error.clear();
		{
			std::lock_guard lock(fd_mutex_);
			fd_ = channel.fd();
		}
		{
			std::lock_guard lock(mutex_);
			attached_ = true;
			error_.clear();
			info_ = info;
			current_ = {};
		}
		log_(LogLevel::info, "channel: attached to " + device_.string() + ": " +
					     std::to_string(info.nr_pools) + " pool(s), " +
					     std::to_string(info.nr_volumes) + " volume(s); serving " +
					     std::to_string(info.nr_tags) + " tags");
		first_try_done();

		// The ring lives and dies with a thread of its own: see the header.
		std::thread ring([&] { serve(channel, area.bytes()); });
		ring.join();
		{
			// Nobody may be in ioctl() on the descriptor while it closes.
			std::lock_guard lock(fd_mutex_);
			fd_ = -1;
			held.reset();
		}

		{
			std::lock_guard lock(mutex_);
			attached_ = false;
			error_ = stop_ ? "stopped" : "serving ended; attaching again";
			totals_.served += current_.served;
			totals_.failed += current_.failed;
			totals_.protocol_errors += current_.protocol_errors;
			current_ = {};
		}
		if (!stop_) {
			log_(LogLevel::warn, "channel: serving ended; attaching again");
			// The module cancels the old thread's fetches within a second;
			// until it has, the device is still held (EBUSY).
			if (wait_wake(1000))
				break;
		}
	}
	first_try_done();
	log_(LogLevel::info, "channel: stopped");
}

void ChannelServer::serve(const KernelChannel& channel, std::byte* area)
{
	const ChannelInfo& info = channel.info();
	const auto nr_tags = static_cast<std::uint16_t>(info.nr_tags);
	Uring uring;
	if (int r = uring.init(nr_tags + 8); r < 0) {
		log_(LogLevel::error, "channel: io_uring_queue_init: " + hps::errno_text(-r));
		set_error("io_uring_queue_init: " + hps::errno_text(-r));
		return;
	}
	io_uring* ring = uring.get();
	UringRing uring_ring(ring, channel.fd());
	Engine engine(nr_tags, info.io_bytes, uring_ring, backend_, completions_, log_);

	std::uint64_t wake_value = 0;
	auto post_wake = [&] {
		io_uring_sqe* s = uring_ring.sqe();
		io_uring_prep_read(s, wake_.get(), &wake_value, sizeof(wake_value), 0);
		s->user_data = wake_user_data;
	};
	post_wake();
	engine.start();

	const auto* descs = reinterpret_cast<const std::byte*>(area + HPS_CHAN_DESC_OFFSET);
	std::byte* buffers = area + HPS_CHAN_BUF_OFFSET;
	for (;;) {
		if (stop_)
			engine.begin_stop();
		if (engine.failed())
			engine.begin_stop();
		if (engine.stopping() && engine.in_backend() == 0)
			break;

		const int r = io_uring_submit_and_wait(ring, 1);
		if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
			log_(LogLevel::error, "channel: io_uring_enter: " + hps::errno_text(-r));
			// Without a ring nothing can be answered; the backend's
			// requests in flight still complete into completions_.
			while (engine.in_backend() > 0) {
				wait_wake(1000);
				for (auto [tag, result] : completions_.drain())
					engine.on_backend_done(tag, result);
			}
			break;
		}

		io_uring_cqe* cqe = nullptr;
		unsigned head = 0;
		unsigned seen = 0;
		io_uring_for_each_cqe(ring, head, cqe)
		{
			seen++;
			if (cqe->user_data == wake_user_data) {
				for (auto [tag, result] : completions_.drain())
					engine.on_backend_done(tag, result);
				post_wake();
				continue;
			}
			const auto tag = static_cast<std::uint16_t>(cqe->user_data);
			hps_io_desc desc{};
			if (cqe->res == 0 && tag < nr_tags)
				std::memcpy(&desc, descs + std::size_t{tag} * sizeof(hps_io_desc),
					    sizeof(desc));
			engine.on_command(tag, cqe->res, desc,
					  std::span<std::byte>(buffers + std::size_t{tag} * info.io_bytes,
							       info.io_bytes));
		}
		io_uring_cq_advance(ring, seen);
		{
			std::lock_guard lock(mutex_);
			current_ = engine.counters();
		}
	}
	// Commits posted during the drain go to the kernel; what the kernel
	// hands out from here on is queued again when this thread ends.
	io_uring_submit(ring);
	std::lock_guard lock(mutex_);
	current_ = engine.counters();
}

} // namespace hpsd::channel
