// SPDX-License-Identifier: GPL-2.0-only
#include "control/session.hpp"

#include <boost/asio/write.hpp>

#include <span>

namespace hpsd {

Session::Session(Socket socket, const Dispatcher& dispatcher, Logger& log, unsigned long id)
	: socket_(std::move(socket)), dispatcher_(dispatcher), log_(log), id_(id),
	  framer_(hps::api::max_request_bytes)
{
}

void Session::start()
{
	log_.debug("client " + std::to_string(id_) + " connected");
	read_next();
}

void Session::close()
{
	boost::system::error_code ignored;
	socket_.shutdown(Socket::shutdown_both, ignored);
	socket_.close(ignored);
}

void Session::read_next()
{
	socket_.async_read_some(boost::asio::buffer(read_buffer_),
				[self = shared_from_this()](const boost::system::error_code& ec,
							    std::size_t bytes) { self->on_read(ec, bytes); });
}

void Session::on_read(const boost::system::error_code& ec, std::size_t bytes)
{
	if (ec) {
		// EOF is the normal end; a client that leaves mid-line just
		// abandons that line.  Anything else is worth a debug line only:
		// it concerns one client, not the daemon.
		if (ec != boost::asio::error::eof && ec != boost::asio::error::operation_aborted)
			log_.debug("client " + std::to_string(id_) + ": read: " + ec.message());
		log_.debug("client " + std::to_string(id_) + " disconnected");
		close();
		return;
	}

	for (auto& frame : framer_.feed(std::span<const char>(read_buffer_.data(), bytes))) {
		write_buffer_ += frame.kind == hps::api::Frame::Kind::line
					 ? dispatcher_.handle_line(frame.text)
					 : dispatcher_.handle_oversize();
		write_buffer_ += '\n';
	}
	if (write_buffer_.empty()) {
		read_next();
		return;
	}
	boost::asio::async_write(socket_, boost::asio::buffer(write_buffer_),
				 [self = shared_from_this()](const boost::system::error_code& write_ec,
							     std::size_t) { self->on_written(write_ec); });
}

void Session::on_written(const boost::system::error_code& ec)
{
	write_buffer_.clear();
	if (ec) {
		if (ec != boost::asio::error::operation_aborted)
			log_.debug("client " + std::to_string(id_) + ": write: " + ec.message());
		close();
		return;
	}
	read_next();
}

} // namespace hpsd
