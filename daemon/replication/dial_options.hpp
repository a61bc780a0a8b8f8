// SPDX-License-Identifier: GPL-2.0-only
// How a dialer (TcpDialer, RdmaDialer) connects and retries: a connect
// timeout per attempt, and a retry delay that doubles from `first_retry` up
// to `max_retry` while attempts keep failing.  Shared so that both
// transports' dialers take the same options.
#pragma once

#include <chrono>

namespace hpsd::replication {

struct DialOptions {
	std::chrono::milliseconds connect_timeout{5000};
	std::chrono::milliseconds first_retry{100};
	std::chrono::milliseconds max_retry{3000};
};

} // namespace hpsd::replication
