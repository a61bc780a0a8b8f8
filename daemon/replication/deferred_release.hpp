// SPDX-License-Identifier: GPL-2.0-only
// Releasing something only once it is safe to: `release` runs from the
// executor as soon as `ready()` says so, which is asked at once and then
// every `interval`.  The wait keeps itself alive (nobody has to hold it), so
// an owner that is going away can hand over what it cannot drop yet.
//
// The RDMA transport uses it for a broken connection's connection-manager
// id (rdma_endpoint.hpp, retire()): destroying an id that was connected
// sends a message on the wire, which must wait until the port is up again.
//
// If the executor's io_context is destroyed first, the pending wait is
// destroyed with it and `release`'s captures go then, without `ready()`.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>

namespace hpsd::replication {

void release_when(const boost::asio::any_io_executor& executor, std::function<bool()> ready,
		  std::function<void()> release, std::chrono::milliseconds interval);

} // namespace hpsd::replication
