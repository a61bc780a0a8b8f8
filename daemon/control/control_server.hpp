// SPDX-License-Identifier: GPL-2.0-only
// ControlServer: the listening end of the control socket.  Accepts clients
// and hands each to a Session; stop() closes everything and removes the
// socket file.  Single-threaded: everything runs on one io_context.
#pragma once

#include "control/dispatcher.hpp"
#include "control/session.hpp"
#include "control/socket_path.hpp"
#include "core/log.hpp"
#include "util/result.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hpsd {

class ControlServer {
public:
	ControlServer(boost::asio::io_context& io, const Dispatcher& dispatcher, Logger& log);
	ControlServer(const ControlServer&) = delete;
	ControlServer& operator=(const ControlServer&) = delete;
	~ControlServer();

	// Binds a socket at `path` (which prepare_socket_path() has cleared),
	// restricts it to mode 0600 and starts accepting.
	hps::Result<void, std::string> listen(const std::string& path);

	// Stops accepting, closes every client and removes the socket file.
	void stop();

private:
	void accept_next();

	const Dispatcher& dispatcher_;
	Logger& log_;
	boost::asio::local::stream_protocol::acceptor acceptor_;
	boost::asio::steady_timer retry_timer_;
	std::vector<std::weak_ptr<Session>> sessions_;
	std::string path_;
	std::optional<SocketFileId> socket_id_;
	unsigned long next_session_id_ = 1;
	bool stopped_ = false;
};

} // namespace hpsd
