// SPDX-License-Identifier: GPL-2.0-only
// UniqueFd: sole owner of a POSIX file descriptor; closes it on destruction.
#pragma once

#include <unistd.h>

#include <utility>

namespace hps {

class UniqueFd {
public:
	UniqueFd() = default;
	explicit UniqueFd(int fd) noexcept : fd_(fd) {}
	UniqueFd(const UniqueFd&) = delete;
	UniqueFd& operator=(const UniqueFd&) = delete;
	UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
	UniqueFd& operator=(UniqueFd&& other) noexcept
	{
		if (this != &other)
			reset(other.release());
		return *this;
	}
	~UniqueFd() { reset(); }

	int get() const noexcept { return fd_; }
	bool valid() const noexcept { return fd_ >= 0; }

	int release() noexcept { return std::exchange(fd_, -1); }
	void reset(int fd = -1) noexcept
	{
		// close() errors on a socket or read-only file carry no information
		// a caller could act on, so they are deliberately ignored.
		if (fd_ >= 0)
			::close(fd_);
		fd_ = fd;
	}

private:
	int fd_ = -1;
};

} // namespace hps
