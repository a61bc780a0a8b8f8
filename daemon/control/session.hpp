// SPDX-License-Identifier: GPL-2.0-only
// Session: one client connection on the control socket.  Owned through
// shared_ptr by its own pending async operations, so it lives exactly as
// long as there is I/O in flight; the server only keeps weak references to
// close sessions at shutdown.
//
// Flow control: after each read, the responses for every complete line in
// it are written out in full before the next read is started.  A client
// that sends requests but never reads responses therefore stalls only
// itself, and memory per session stays bounded (one read buffer, one
// partial line of at most max_request_bytes, the responses of one read).
#pragma once

#include "api/line_framer.hpp"
#include "control/dispatcher.hpp"
#include "core/log.hpp"

#include <boost/asio/local/stream_protocol.hpp>

#include <array>
#include <memory>
#include <string>

namespace hpsd {

class Session : public std::enable_shared_from_this<Session> {
public:
	using Socket = boost::asio::local::stream_protocol::socket;

	Session(Socket socket, const Dispatcher& dispatcher, Logger& log, unsigned long id);

	void start();
	// Cancels pending I/O and closes the connection; idempotent.
	void close();

private:
	void read_next();
	void on_read(const boost::system::error_code& ec, std::size_t bytes);
	void on_written(const boost::system::error_code& ec);

	Socket socket_;
	const Dispatcher& dispatcher_;
	Logger& log_;
	unsigned long id_;
	hps::api::LineFramer framer_;
	std::array<char, 64 * 1024> read_buffer_{};
	std::string write_buffer_;
};

} // namespace hpsd
