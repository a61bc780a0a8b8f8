// SPDX-License-Identifier: GPL-2.0-only
#include "hps-logreplay/byte_source.hpp"

#include "util/errno_text.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hps::logreplay {
namespace {

std::string past_end(std::uint64_t offset, std::size_t len, std::uint64_t size)
{
	return "read of " + std::to_string(len) + " bytes at byte " + std::to_string(offset) +
	       " is past the end (" + std::to_string(size) + " bytes)";
}

} // namespace

Result<void, std::string> MemorySource::read_at(std::uint64_t offset, std::span<std::byte> out) const
{
	if (offset > bytes_.size() || out.size() > bytes_.size() - offset)
		return fail(past_end(offset, out.size(), bytes_.size()));
	std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
	return {};
}

Result<std::uint64_t, std::string> fd_size(int fd)
{
	struct stat st{};
	if (::fstat(fd, &st) != 0)
		return fail("fstat: " + errno_text(errno));
	if (S_ISBLK(st.st_mode)) {
		std::uint64_t bytes = 0;
		if (::ioctl(fd, BLKGETSIZE64, &bytes) != 0)
			return fail("BLKGETSIZE64: " + errno_text(errno));
		return bytes;
	}
	if (S_ISREG(st.st_mode))
		return static_cast<std::uint64_t>(st.st_size);
	return fail(std::string("not a regular file or block device"));
}

Result<FileSource, std::string> FileSource::open(const std::string& path)
{
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd.valid())
		return fail(errno_text(errno));
	auto size = fd_size(fd.get());
	if (!size)
		return fail(size.error());
	return FileSource(std::move(fd), *size);
}

Result<void, std::string> FileSource::read_at(std::uint64_t offset, std::span<std::byte> out) const
{
	if (offset > size_ || out.size() > size_ - offset)
		return fail(past_end(offset, out.size(), size_));
	std::size_t done = 0;
	while (done < out.size()) {
		ssize_t n = ::pread(fd_.get(), out.data() + done, out.size() - done,
				    static_cast<off_t>(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("read at byte " + std::to_string(offset + done) + ": " + errno_text(errno));
		if (n == 0)
			return fail("unexpected end of file at byte " + std::to_string(offset + done));
		done += static_cast<std::size_t>(n);
	}
	return {};
}

} // namespace hps::logreplay
