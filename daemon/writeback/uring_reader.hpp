// SPDX-License-Identifier: GPL-2.0-only
// CacheReader on io_uring: O_DIRECT reads of pools' cache devices
// (/dev/<name> of M:m from sysfs, opened read-only on first use and kept
// open; the pool's
// dm target holds the device non-exclusively, so a plain open works).
//
// The engine thread submits; a reaper thread of this reader blocks in
// io_uring_wait_cqe and runs each read's callback.  Reads beyond what the
// ring's completion queue holds wait in a queue of their own and are
// submitted as others complete, so a burst (a 1 MiB io is up to 256 reads
// of 4 KiB: neighbouring blocks of a volume sit in different sets) never
// overflows it.
#pragma once

#include "util/result.hpp"
#include "util/unique_fd.hpp"
#include "writeback/seams.hpp"

#include <liburing.h>

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace hpsd::writeback {

class UringReader final : public CacheReader {
public:
	static hps::Result<std::unique_ptr<UringReader>, std::string> create(unsigned entries = 512);
	// Waits for the reads in flight, then stops the reaper.
	// Only the factory can make the key: the ring is always set up.
	class Key {
		friend class UringReader;
		Key() = default;
	};
	explicit UringReader(Key) {}
	~UringReader() override;
	UringReader(const UringReader&) = delete;
	UringReader& operator=(const UringReader&) = delete;

	void read(CacheDevice device, std::uint64_t offset, std::span<std::byte> into,
		  IoCallback done) override;
	// One submission for the lot (a 1 MiB io is 256 scattered blocks).
	void read_many(CacheDevice device, std::vector<CacheRead> reads) override;

private:
	struct Read {
		int fd;
		std::uint64_t offset;
		std::span<std::byte> into;
		IoCallback done;
	};

	int fd_for(CacheDevice device);
	// With mutex_ held: moves queued reads into the ring and submits.
	void submit_locked();
	void reap();

	io_uring ring_{};
	bool ring_ready_ = false;
	unsigned capacity_ = 0; // reads in the ring at once

	std::mutex mutex_; // the submission side, fds_, queued_, inflight_, stop_
	std::map<std::pair<std::uint32_t, std::uint32_t>, hps::UniqueFd> fds_;
	std::deque<std::unique_ptr<Read>> queued_;
	unsigned inflight_ = 0;
	bool stop_ = false;
	std::thread reaper_;
};

} // namespace hpsd::writeback
