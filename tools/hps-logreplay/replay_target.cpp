// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/replay_target.hpp"

#include "hps-logreplay/byte_source.hpp"
#include "util/errno_text.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <vector>

namespace hps::logreplay {
namespace {

constexpr std::size_t zero_chunk = 1 << 20;

std::string at(std::uint64_t offset) { return " at byte " + std::to_string(offset) + ": "; }

} // namespace

Result<ReplayTarget, std::string> ReplayTarget::open(const std::string& path, bool writable)
{
	UniqueFd fd(::open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC));
	if (!fd.valid())
		return fail(errno_text(errno));
	struct stat st{};
	if (::fstat(fd.get(), &st) != 0)
		return fail("fstat: " + errno_text(errno));
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))
		return fail(std::string("not a regular file or block device"));
	std::optional<std::uint64_t> limit;
	if (S_ISBLK(st.st_mode)) {
		auto size = fd_size(fd.get());
		if (!size)
			return fail(size.error());
		limit = *size;
	}
	return ReplayTarget(std::move(fd), limit);
}

Result<void, std::string> ReplayTarget::write_at(std::uint64_t offset, std::span<const std::byte> data)
{
	std::size_t done = 0;
	while (done < data.size()) {
		ssize_t n = ::pwrite(fd_.get(), data.data() + done, data.size() - done,
				     static_cast<off_t>(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("write" + at(offset + done) + errno_text(errno));
		if (n == 0)
			return fail("write" + at(offset + done) + "no progress");
		done += static_cast<std::size_t>(n);
	}
	return {};
}

Result<void, std::string> ReplayTarget::write_zeroes(std::uint64_t offset, std::uint64_t len)
{
	std::vector<std::byte> zeroes(static_cast<std::size_t>(std::min<std::uint64_t>(len, zero_chunk)));
	while (len > 0) {
		std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(len, zeroes.size()));
		if (auto r = write_at(offset, std::span(zeroes).first(n)); !r)
			return r;
		offset += n;
		len -= n;
	}
	return {};
}

Result<void, std::string> ReplayTarget::zero(std::uint64_t offset, std::uint64_t len)
{
	if (len == 0)
		return {};
	if (block_device()) {
		std::array<std::uint64_t, 2> range{offset, len};
		if (::ioctl(fd_.get(), BLKZEROOUT, range.data()) == 0)
			return {};
		if (errno != EOPNOTSUPP && errno != ENOTTY && errno != EINVAL)
			return fail("BLKZEROOUT" + at(offset) + errno_text(errno));
		return write_zeroes(offset, len);
	}
	auto size = extent();
	if (!size)
		return fail(size.error());
	if (offset >= *size)
		return {};
	return write_zeroes(offset, std::min(len, *size - offset));
}

Result<void, std::string> ReplayTarget::read_at(std::uint64_t offset, std::span<std::byte> out) const
{
	std::size_t done = 0;
	while (done < out.size()) {
		ssize_t n = ::pread(fd_.get(), out.data() + done, out.size() - done,
				    static_cast<off_t>(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("read" + at(offset + done) + errno_text(errno));
		if (n == 0) {
			if (block_device())
				return fail("read" + at(offset + done) + "past the end of the device");
			std::fill(out.begin() + static_cast<std::ptrdiff_t>(done), out.end(), std::byte{0});
			break;
		}
		done += static_cast<std::size_t>(n);
	}
	return {};
}

Result<std::uint64_t, std::string> ReplayTarget::extent() const
{
	if (limit_)
		return *limit_;
	struct stat st{};
	if (::fstat(fd_.get(), &st) != 0)
		return fail("fstat: " + errno_text(errno));
	return static_cast<std::uint64_t>(st.st_size);
}

Result<void, std::string> ReplayTarget::sync()
{
	if (::fdatasync(fd_.get()) != 0)
		return fail("fdatasync: " + errno_text(errno));
	return {};
}

} // namespace hps::logreplay
