// SPDX-License-Identifier: GPL-2.0-only
// What writeback, on its own thread, reads of a primary volume to stamp
// the CLEAN it sends once a range is on RBD (PROTOCOL.md, "Clean-mark
// propagation"):
//
//  - `last_seq`: the last replication seq the volume handed out.  Read
//    right after WB_TAKE returned, it covers every write whose data the
//    writeback read can see: the kernel's WB_TAKE returns only once every
//    write planned before it has ended, REPLICATE answered (so seq
//    assigned) included; a write planned after it keeps the block dirty in
//    the primary's own WB_DONE, and no CLEAN names that block.
//  - `token`: non-zero only while the peer's copy is whole and live
//    (in_sync, no resync round pending or due): a new value each time it
//    becomes so.  A CLEAN goes out only if the token is the one read with
//    the seq: a peer lost, a resync round, a write the peer failed to
//    store in between, and the CLEAN is dropped (it costs the peer space,
//    never data).
//
// Written on the io thread (PrimaryVolume), read from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

namespace hpsd::replication {

struct CleanMark {
	std::uint64_t token = 0; // the gate's token when the seq was read
	std::uint64_t seq = 0;	 // the last seq handed out then

	bool operator==(const CleanMark&) const = default;
};

class CleanGate {
public:
	// Any thread.  nullopt: no CLEAN may be sent for what is read now.
	std::optional<CleanMark> capture() const noexcept
	{
		const std::uint64_t before = token_.load();
		const std::uint64_t seq = last_seq_.load();
		const std::uint64_t after = token_.load();
		if (before == 0 || before != after || seq == 0)
			return std::nullopt;
		return CleanMark{before, seq};
	}

	// The io thread.
	void assigned(std::uint64_t seq) noexcept { last_seq_.store(seq); }
	void set_token(std::uint64_t token) noexcept { token_.store(token); }
	std::uint64_t token() const noexcept { return token_.load(); }

private:
	std::atomic<std::uint64_t> token_{0};
	std::atomic<std::uint64_t> last_seq_{0};
};

} // namespace hpsd::replication
