// SPDX-License-Identifier: GPL-2.0-only
// Flow control of the RDMA transport: credits.  An RDMA SEND needs a
// receive buffer posted at the peer, or the peer's adapter refuses it
// (receiver not ready); so a side sends a frame only for a credit, and the
// receiver hands back one credit per buffer it has consumed and posted
// again.  Credits travel in the 32-bit immediate data of every SEND
// (IBV_WR_SEND_WITH_IMM), so the protocol's frames stay exactly TCP's.
//
//   - Handshake: each side posts `handshake_credits` small buffers before
//     connecting and starts with as many credits: enough for the two
//     frames each side sends (HELLO and RESPONSE, or CHALLENGE and
//     RESPONSE, or an ERROR instead of either).  Those buffers are never
//     posted again.
//   - Once a side is authenticated it posts `window` full-size buffers and
//     grants all of them (open_window()): the acceptor in the immediate of
//     its RESPONSE, the initiator on its first SEND after the handshake.
//   - Returned credits ride on the next frame sent; when none is going out
//     and at least half the window is owed (credit_message_due()), the
//     link sends a credit message: a SEND with no payload, only the
//     immediate.  Those land in credit_buffers extra buffers, beyond the
//     window, which are posted again as soon as they are consumed.  Two
//     are enough whatever the peer's window W: what the peer owes plus
//     what its unconsumed credit messages carry is at most W, and each
//     carries at least half of W, so at most two are ever unconsumed.
//
// Pure: counts only.
#pragma once

#include <cstdint>

namespace hpsd::replication {

class RdmaCredits {
public:
	static constexpr std::uint32_t handshake_credits = 2;
	// The largest window a side may have, so a peer's grants are bounded.
	static constexpr std::uint32_t max_window = 65536;

	// `window`: the full-size receive buffers this side posts once
	// authenticated (1..max_window).
	explicit RdmaCredits(std::uint32_t window) noexcept;

	// The receive buffers a side posts beyond its window, for credit
	// messages.
	static constexpr std::uint32_t credit_buffers = 2;

	// The least a credit message carries: half the window, rounded up.
	static std::uint32_t threshold(std::uint32_t window) noexcept { return (window + 1) / 2; }

	// --- sending
	// Frames this side may send now.
	std::uint32_t available() const noexcept { return available_; }
	// One frame was posted (it took a credit).
	void spend() noexcept;
	// The peer granted `credits` (a received SEND's immediate).  False,
	// granting nothing, when this side would then hold more than any
	// peer's window: a broken or hostile peer.
	bool granted(std::uint32_t credits) noexcept;

	// --- receiving
	// The window's buffers are posted: owe the peer all of them.
	void open_window() noexcept { owed_ += window_; }
	// A frame's buffer was posted again: one more credit owed.
	void consumed() noexcept { owed_++; }
	// The credits to put into the next SEND's immediate: all owed.
	std::uint32_t take_owed() noexcept;
	// Enough is owed to justify a credit message.
	bool credit_message_due() const noexcept { return owed_ >= threshold(window_); }
	std::uint32_t owed() const noexcept { return owed_; }

	std::uint32_t window() const noexcept { return window_; }

private:
	std::uint32_t window_;
	std::uint32_t available_ = handshake_credits;
	std::uint32_t owed_ = 0;
};

} // namespace hpsd::replication
