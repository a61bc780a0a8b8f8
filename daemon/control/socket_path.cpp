// SPDX-License-Identifier: GPL-2.0-only
#include "control/socket_path.hpp"

#include "util/errno_text.hpp"
#include "util/unix_socket.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace hpsd {
namespace {

hps::Result<void, std::string> ensure_parent_dir(const std::string& path, Logger& log)
{
	namespace fs = std::filesystem;
	fs::path parent = fs::path(path).parent_path();
	std::error_code ec;
	if (fs::is_directory(parent, ec))
		return {};
	if (fs::exists(parent, ec))
		return hps::fail(parent.string() + " exists and is not a directory");
	fs::create_directories(parent, ec);
	if (!ec)
		fs::permissions(parent, fs::perms::owner_all, fs::perm_options::replace, ec);
	if (ec)
		return hps::fail("cannot create " + parent.string() + ": " + ec.message());
	log.info("created " + parent.string() + " (mode 0700)");
	return {};
}

} // namespace

hps::Result<void, std::string> prepare_socket_path(const std::string& path, Logger& log)
{
	if (auto dir = ensure_parent_dir(path, log); !dir)
		return dir;

	struct stat st{};
	if (::lstat(path.c_str(), &st) < 0) {
		if (errno == ENOENT)
			return {};
		return hps::fail("cannot inspect " + path + ": " + hps::errno_text(errno));
	}
	if (!S_ISSOCK(st.st_mode))
		return hps::fail(path + " exists and is not a socket; refusing to replace it");

	auto conn = hps::connect_unix(path);
	if (conn)
		return hps::fail("another hpsd is already serving " + path);
	if (conn.error() != ECONNREFUSED)
		return hps::fail("cannot tell whether " + path +
				 " is in use: connect: " + hps::errno_text(conn.error()));

	// Nobody listens: the socket was left by an hpsd that did not exit cleanly.
	if (::unlink(path.c_str()) < 0 && errno != ENOENT)
		return hps::fail("cannot remove stale socket " + path + ": " + hps::errno_text(errno));
	log.info("removed stale socket " + path);
	return {};
}

hps::Result<SocketFileId, std::string> socket_file_id(const std::string& path)
{
	struct stat st{};
	if (::lstat(path.c_str(), &st) < 0)
		return hps::fail("cannot inspect " + path + ": " + hps::errno_text(errno));
	return SocketFileId{st.st_dev, st.st_ino};
}

void remove_socket_file(const std::string& path, const SocketFileId& id, Logger& log)
{
	struct stat st{};
	if (::lstat(path.c_str(), &st) < 0)
		return; // already gone
	if (st.st_dev != id.dev || st.st_ino != id.ino) {
		log.warn(path + " is no longer this hpsd's socket; leaving it in place");
		return;
	}
	if (::unlink(path.c_str()) < 0 && errno != ENOENT)
		log.warn("cannot remove " + path + ": " + hps::errno_text(errno));
}

} // namespace hpsd
