// SPDX-License-Identifier: GPL-2.0-only
// hps-rdma-selftest: the RDMA replication transport end to end on a real
// RDMA device (soft-RoCE rdma_rxe in the lab): listener and dialer
// authenticate, every message crosses, a stream of WRITEs arrives intact
// and in order, backpressure, keepalive, a silent peer is lost, garbage
// closes the link with one log line, close() says GOODBYE, the dialer
// reconnects.  A lab tool (test/lab/scenarios/repl-rdma-link.sh), not
// installed.
//
//   hps-rdma-selftest --address ADDR [--frames N] [--max-size BYTES] [--only NAME]
//
// ADDR must be an address of an interface with an RDMA device (the VM's
// eth0 under rxe0; 127.0.0.1 is on none).  Prints "ok NAME: details" or
// "FAIL NAME: reason" per check, then "PASS n checks" or "FAIL ..."; exit
// 0 when all passed, 1 when one failed, 77 when there is no RDMA device
// (skipped), 2 on bad arguments.
#include "hps-rdma-selftest/checks.hpp"
#include "hps-rdma-selftest/harness.hpp"

#include <infiniband/verbs.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

int usage()
{
	std::fprintf(stderr,
		     "usage: hps-rdma-selftest --address ADDR [--frames N] [--max-size BYTES] [--only NAME]\n");
	return 2;
}

// The RDMA devices' names, "" when there are none.
std::string devices()
{
	int count = 0;
	ibv_device** list = ibv_get_device_list(&count);
	std::string names;
	for (int i = 0; list && i < count; i++)
		names += (names.empty() ? "" : " ") + std::string(ibv_get_device_name(list[i]));
	if (list)
		ibv_free_device_list(list);
	return names;
}

} // namespace

int main(int argc, char** argv)
{
	rdmatest::Options options;
	std::string only;
	for (int i = 1; i < argc; i++) {
		const std::string_view arg = argv[i];
		if (i + 1 >= argc)
			return usage();
		const char* value = argv[++i];
		if (arg == "--address")
			options.address = value;
		else if (arg == "--frames")
			options.frames = std::strtoul(value, nullptr, 10);
		else if (arg == "--max-size")
			options.max_size = std::strtoul(value, nullptr, 10);
		else if (arg == "--only")
			only = value;
		else
			return usage();
	}
	if (options.address.empty() || options.frames == 0 || options.max_size < 512 ||
	    options.max_size > (1U << 20))
		return usage();

	std::vector<rdmatest::Check> checks;
	bool rdma = false;
	for (rdmatest::Check& check : rdmatest::all_checks())
		if (only.empty() || only == check.name) {
			rdma = rdma || check.needs_rdma;
			checks.push_back(std::move(check));
		}
	if (checks.empty())
		return usage();
	const std::string names = devices();
	if (rdma && names.empty()) {
		std::printf("SKIP: no RDMA device (ibv_get_device_list returned none)\n");
		return 77;
	}
	std::printf("RDMA devices: %s; address %s\n", names.empty() ? "none" : names.c_str(),
		    options.address.c_str());
	std::fflush(stdout);

	int passed = 0, failed = 0;
	for (const rdmatest::Check& check : checks) {
		const auto started = std::chrono::steady_clock::now();
		try {
			const std::string details = check.run(options);
			const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
				std::chrono::steady_clock::now() - started);
			std::printf("ok %s (%lld ms): %s\n", check.name, static_cast<long long>(ms.count()),
				    details.c_str());
			passed++;
		} catch (const std::exception& e) {
			std::printf("FAIL %s: %s\n", check.name, e.what());
			failed++;
		}
		std::fflush(stdout);
	}
	if (failed == 0 && passed > 0) {
		std::printf("PASS %d checks\n", passed);
		return 0;
	}
	std::printf("FAIL %d of %d checks\n", failed, passed + failed);
	return 1;
}
