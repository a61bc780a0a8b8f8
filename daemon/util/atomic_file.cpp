// SPDX-License-Identifier: GPL-2.0-only
#include "util/atomic_file.hpp"

#include "util/errno_text.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace hps {

Result<std::optional<std::string>, std::string> read_small_file(const std::filesystem::path& path,
								 std::size_t max_bytes)
{
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd.valid()) {
		if (errno == ENOENT)
			return std::optional<std::string>();
		return fail(path.string() + ": cannot open: " + errno_text(errno));
	}
	std::string text;
	std::array<char, 8192> chunk{};
	for (;;) {
		const ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(path.string() + ": cannot read: " + errno_text(errno));
		if (n == 0)
			return std::optional<std::string>(std::move(text));
		text.append(chunk.data(), static_cast<std::size_t>(n));
		if (text.size() > max_bytes)
			return fail(path.string() + ": file is larger than " +
				    std::to_string(max_bytes) + " bytes");
	}
}

Result<void, std::string> write_file_atomic(const std::filesystem::path& path,
					    std::string_view text, unsigned mode)
{
	const std::filesystem::path temp = path.string() + ".tmp";
	UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
	if (!fd.valid())
		return fail("cannot create " + temp.string() + ": " + errno_text(errno));
	while (!text.empty()) {
		const ssize_t n = ::write(fd.get(), text.data(), text.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("cannot write " + temp.string() + ": " + errno_text(errno));
		text.remove_prefix(static_cast<std::size_t>(n));
	}
	if (::fsync(fd.get()) != 0)
		return fail("cannot fsync " + temp.string() + ": " + errno_text(errno));
	fd.reset();
	if (::rename(temp.c_str(), path.c_str()) != 0)
		return fail("cannot rename " + temp.string() + ": " + errno_text(errno));
	// The rename is only durable once the directory entry is.
	const auto dir_path = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
	UniqueFd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!dir.valid() || ::fsync(dir.get()) != 0)
		return fail("cannot fsync directory " + dir_path.string() + ": " + errno_text(errno));
	return {};
}

} // namespace hps
