// SPDX-License-Identifier: GPL-2.0-only
// Where a log's bytes come from: a file or block device for the tool,
// memory for the unit tests.  The parser only ever sees this interface.
#pragma once

#include "util/result.hpp"
#include "util/unique_fd.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace hps::logreplay {

class ByteSource {
public:
	virtual ~ByteSource() = default;
	// Total bytes; nothing at or past it can be read.
	virtual std::uint64_t size() const noexcept = 0;
	// Fills all of `out` from `offset`, or fails (offset + out.size()
	// past size() is an error, never a short read).
	virtual Result<void, std::string> read_at(std::uint64_t offset, std::span<std::byte> out) const = 0;
};

// Bytes the caller keeps alive.
class MemorySource final : public ByteSource {
public:
	explicit MemorySource(std::span<const std::byte> bytes) noexcept : bytes_(bytes) {}
	std::uint64_t size() const noexcept override { return bytes_.size(); }
	Result<void, std::string> read_at(std::uint64_t offset, std::span<std::byte> out) const override;

private:
	std::span<const std::byte> bytes_;
};

// A regular file or a block device, opened read-only.
class FileSource final : public ByteSource {
public:
	static Result<FileSource, std::string> open(const std::string& path);
	std::uint64_t size() const noexcept override { return size_; }
	Result<void, std::string> read_at(std::uint64_t offset, std::span<std::byte> out) const override;

private:
	FileSource(UniqueFd fd, std::uint64_t size) noexcept : fd_(std::move(fd)), size_(size) {}
	UniqueFd fd_;
	std::uint64_t size_ = 0;
};

// Size of an open regular file or block device (BLKGETSIZE64).
Result<std::uint64_t, std::string> fd_size(int fd);

} // namespace hps::logreplay
