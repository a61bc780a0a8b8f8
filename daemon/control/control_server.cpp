// SPDX-License-Identifier: GPL-2.0-only
#include "control/control_server.hpp"

#include "util/errno_text.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace hpsd {

namespace asio = boost::asio;
using Protocol = asio::local::stream_protocol;

ControlServer::ControlServer(asio::io_context& io, const Dispatcher& dispatcher, Logger& log)
		: dispatcher_(dispatcher), log_(log), acceptor_(io), retry_timer_(io)
{
}

ControlServer::~ControlServer()
{
	stop();
}

hps::Result<void, std::string> ControlServer::listen(const std::string& path)
{
	boost::system::error_code ec;
	auto failed = [&](const char* step) {
		return hps::fail("cannot listen on " + path + ": " + step + ": " + ec.message());
	};

	if (acceptor_.open(Protocol(), ec); ec)
		return failed("socket");
	if (acceptor_.bind(Protocol::endpoint(path), ec); ec)
		return failed("bind");
	// From here on the file exists and is ours to remove.
	path_ = path;
	auto id = socket_file_id(path);
	if (!id)
		return hps::fail(id.error());
	socket_id_ = *id;
	// The umask already keeps others out; chmod states the intent and
	// does not depend on how hpsd was started.
	if (::chmod(path.c_str(), 0600) < 0)
		return hps::fail("cannot chmod 0600 " + path + ": " + hps::errno_text(errno));
	if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec)
		return failed("listen");

	accept_next();
	return {};
}

void ControlServer::accept_next()
{
	acceptor_.async_accept([this](const boost::system::error_code& ec, Protocol::socket socket) {
		if (stopped_ || ec == asio::error::operation_aborted)
			return;
		if (ec) {
			// Typically EMFILE/ENFILE.  Retrying at once would spin on the
			// same error; wait a little and try again.
			log_.warn("control socket: accept: " + ec.message());
			retry_timer_.expires_after(std::chrono::milliseconds(100));
			retry_timer_.async_wait([this](const boost::system::error_code& timer_ec) {
				if (!timer_ec && !stopped_)
					accept_next();
			});
			return;
		}

		std::erase_if(sessions_, [](const std::weak_ptr<Session>& s) { return s.expired(); });
		auto session = std::make_shared<Session>(std::move(socket), dispatcher_, log_,
							 next_session_id_++);
		sessions_.push_back(session);
		session->start();
		accept_next();
	});
}

void ControlServer::stop()
{
	if (stopped_)
		return;
	stopped_ = true;
	boost::system::error_code ignored;
	acceptor_.close(ignored);
	retry_timer_.cancel();
	for (auto& weak : sessions_)
		if (auto session = weak.lock())
			session->close();
	sessions_.clear();
	if (socket_id_)
		remove_socket_file(path_, *socket_id_, log_);
	else if (!path_.empty())
		::unlink(path_.c_str()); // bound but never identified: still ours
}

} // namespace hpsd
