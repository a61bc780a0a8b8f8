// SPDX-License-Identifier: GPL-2.0-only
// One request of the kernel channel, decoded from the descriptor the module
// wrote into the shared area (struct hps_io_desc, kmod/FORMAT.md "Channel").
// The area is writable by the kernel at any time, so a descriptor is copied
// once and validated before anything acts on it: a bad one is answered
// with -EINVAL rather than trusted.
#pragma once

#include "util/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

struct hps_io_desc;

namespace hpsd::channel {

// replicate and repl_flush come from a primary volume (kmod/FORMAT.md,
// "Replication"): its cached write, to be sent to the peer, and a flush
// that must reach the peer.
enum class Op : std::uint8_t {
	read = 1,
	write = 2,
	discard = 3,
	flush = 4,
	replicate = 5,
	repl_flush = 6,
};

std::string_view to_string(Op op) noexcept;

struct Request {
	Op op = Op::read;
	bool fua = false;	  // write: durable before it completes
	std::uint16_t tag = 0;
	std::uint32_t volume_id = 0;
	std::uint64_t offset = 0; // bytes into the volume
	std::uint64_t len = 0;	  // bytes
	std::uint64_t serial = 0; // the kernel's, for logs
};

// Why a descriptor was refused: the errno answered to the kernel and a
// line for the log.
struct DecodeError {
	int error = 0; // positive errno (EINVAL)
	std::string message;
};

// Decodes the descriptor of `tag` (its copy).  `io_bytes` is the size of
// one tag's buffer, as ATTACH reported it.
hps::Result<Request, DecodeError> decode(const hps_io_desc& desc, std::uint16_t tag,
					  std::uint32_t io_bytes);

// "write vol 3 off 4096 len 8192 fua serial 17", for logs.
std::string describe(const Request& req);

} // namespace hpsd::channel
