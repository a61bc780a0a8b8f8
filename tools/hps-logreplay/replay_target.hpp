// SPDX-License-Identifier: GPL-2.0-only
// The device (or file) a log is replayed onto or verified against.
#pragma once

#include "util/result.hpp"
#include "util/unique_fd.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace hps::logreplay {

class ReplayTarget {
public:
	static Result<ReplayTarget, std::string> open(const std::string& path, bool writable);

	// A block device's size; none for a regular file (it grows).
	std::optional<std::uint64_t> limit() const noexcept { return limit_; }
	bool block_device() const noexcept { return limit_.has_value(); }

	Result<void, std::string> write_at(std::uint64_t offset, std::span<const std::byte> data);
	// Makes [offset, offset + len) read as zeroes: BLKZEROOUT on a block
	// device (falling back to writing zeroes where it is not supported),
	// written zeroes on a regular file (only up to its end: past it a
	// file reads as nothing, and a later write that extends it leaves a
	// hole, which reads as zeroes).
	Result<void, std::string> zero(std::uint64_t offset, std::uint64_t len);
	// Fills `out`; bytes past a regular file's end read as zeroes.
	Result<void, std::string> read_at(std::uint64_t offset, std::span<std::byte> out) const;
	Result<void, std::string> sync();
	// Bytes that exist now: a block device's size, a regular file's length.
	Result<std::uint64_t, std::string> extent() const;

private:
	ReplayTarget(UniqueFd fd, std::optional<std::uint64_t> limit) noexcept
		: fd_(std::move(fd)), limit_(limit)
	{
	}
	Result<void, std::string> write_zeroes(std::uint64_t offset, std::uint64_t len);

	UniqueFd fd_;
	std::optional<std::uint64_t> limit_;
};

} // namespace hps::logreplay
