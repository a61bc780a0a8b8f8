// SPDX-License-Identifier: GPL-2.0-only
// The RDMA selftest's checks, each on its own event loop with a fresh
// listener (and dialer or raw peer) on the given address.  Each throws
// Failed when something does not hold, else returns a line of details.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rdmatest {

struct Options {
	std::string address;	     // of an RDMA device's interface (not 127.0.0.1)
	std::size_t frames = 10000;  // WRITEs in the stream check
	std::size_t max_size = 65536; // their largest data (plus a few of max_write_bytes)
};

struct Check {
	const char* name;
	std::function<std::string(const Options&)> run;
	bool needs_rdma = true; // false: the TCP baseline, which runs anywhere
};

std::vector<Check> all_checks();

} // namespace rdmatest
