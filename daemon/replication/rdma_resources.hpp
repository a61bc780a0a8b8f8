// SPDX-License-Identifier: GPL-2.0-only
// Owning handles of the librdmacm and libibverbs objects the RDMA
// transport uses, one small type each, so that every object is released
// exactly once, in the right order, on every path (a failed set-up half way
// included).  They are unique_ptrs with the library's destroy function as
// deleter, except the queue pair, which librdmacm destroys through its
// connection id, and a registered buffer, which owns its memory too.
//
// The order matters to the libraries: a queue pair before its completion
// queue, the completion queue before its channel, memory regions before
// their protection domain, a connection id before its event channel; and
// rdma_destroy_id() and ibv_destroy_cq() wait until every event they
// reported is acknowledged (this code acknowledges each at once).
#pragma once

#include "util/result.hpp"

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>

namespace hpsd::replication::rdma {

template <auto Destroy>
struct Destroyer {
	template <class T>
	void operator()(T* object) const noexcept
	{
		(void)Destroy(object);
	}
};

using EventChannel = std::unique_ptr<rdma_event_channel, Destroyer<&rdma_destroy_event_channel>>;
using CmId = std::unique_ptr<rdma_cm_id, Destroyer<&rdma_destroy_id>>;
using CmEvent = std::unique_ptr<rdma_cm_event, Destroyer<&rdma_ack_cm_event>>;
using ProtectionDomain = std::unique_ptr<ibv_pd, Destroyer<&ibv_dealloc_pd>>;
using CompletionChannel = std::unique_ptr<ibv_comp_channel, Destroyer<&ibv_destroy_comp_channel>>;
using CompletionQueue = std::unique_ptr<ibv_cq, Destroyer<&ibv_destroy_cq>>;
using MemoryRegion = std::unique_ptr<ibv_mr, Destroyer<&ibv_dereg_mr>>;

// The queue pair rdma_create_qp() made on a connection id.
class QueuePair {
public:
	QueuePair() = default;
	explicit QueuePair(rdma_cm_id* id) noexcept : id_(id) {}
	QueuePair(QueuePair&& other) noexcept : id_(std::exchange(other.id_, nullptr)) {}
	QueuePair& operator=(QueuePair&& other) noexcept;
	QueuePair(const QueuePair&) = delete;
	QueuePair& operator=(const QueuePair&) = delete;
	~QueuePair() { reset(); }

	ibv_qp* get() const noexcept { return id_ ? id_->qp : nullptr; }
	explicit operator bool() const noexcept { return get() != nullptr; }
	void reset() noexcept;

private:
	rdma_cm_id* id_ = nullptr; // not owned; its qp is
};

// Memory registered with a protection domain for local access by the
// adapter (receives write into it, sends read from it).
class RegisteredBuffer {
public:
	RegisteredBuffer() = default;
	static hps::Result<RegisteredBuffer, std::string> create(ibv_pd* pd, std::size_t bytes);

	std::span<std::byte> bytes() const noexcept { return {memory_.get(), size_}; }
	std::size_t size() const noexcept { return size_; }
	std::uint32_t lkey() const noexcept { return region_->lkey; }
	// The address of byte `offset`, as a scatter/gather entry takes it.
	std::uint64_t address(std::size_t offset) const noexcept
	{
		return reinterpret_cast<std::uintptr_t>(memory_.get() + offset);
	}
	explicit operator bool() const noexcept { return region_ != nullptr; }

private:
	std::unique_ptr<std::byte[]> memory_;
	std::size_t size_ = 0;
	MemoryRegion region_; // after memory_: deregistered before it is freed
};

// "what: strerror(errno)" for a failed library call.
std::string failure(const char* what, int error = errno);

// An event channel whose fd does not block, to wait on it with Asio.
hps::Result<EventChannel, std::string> make_event_channel();

// The next event on a channel: one, none (a null CmEvent: nothing pending),
// or why reading failed.
hps::Result<CmEvent, std::string> next_cm_event(rdma_event_channel* channel);

// "rejected (status 28)", "route error (status -110)": a failed event for
// a log line.
std::string event_text(const rdma_cm_event& event);

// "10.0.0.2:7790", "[fd00::2]:7790"; "unknown peer" for anything else.
std::string address_text(const sockaddr* address);

// O_NONBLOCK on `fd`.
hps::Result<void, std::string> set_nonblocking(int fd, const char* what);

} // namespace hpsd::replication::rdma
