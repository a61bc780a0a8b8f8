// SPDX-License-Identifier: GPL-2.0-only
#include "replication/tcp_link.hpp"

#include "replication/codec.hpp"
#include "replication/link_common.hpp"

#include <boost/asio/error.hpp>

namespace hpsd::replication {
namespace {

namespace asio = boost::asio;

// How much to read at a time once authenticated.
constexpr std::size_t read_chunk = 64 * 1024;
// Buffers per gather write (Linux's writev takes more; Asio passes 64).
constexpr std::size_t max_write_buffers = 64;

std::string endpoint_text(const asio::ip::tcp::socket& socket)
{
	boost::system::error_code ec;
	const auto ep = socket.remote_endpoint(ec);
	if (ec)
		return "unknown peer";
	const auto address = ep.address();
	return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
	       std::to_string(ep.port());
}

} // namespace

hps::Result<std::shared_ptr<TcpLink>, std::string>
TcpLink::create(Socket socket, Handshake::Role role, std::optional<std::string> expected_peer,
		const LinkSettings& settings, Hooks hooks)
{
	auto handshake = make_handshake(role, std::move(expected_peer), settings);
	if (!handshake)
		return hps::fail(std::move(handshake).error());
	return std::make_shared<TcpLink>(Passkey{}, std::move(socket), std::move(handshake).value(),
					 settings, std::move(hooks));
}

TcpLink::TcpLink(Passkey, Socket socket, Handshake handshake, const LinkSettings& settings,
		 Hooks hooks)
	: FramedLink(socket.get_executor(), std::move(handshake), settings, endpoint_text(socket),
		     std::move(hooks)),
	  rx_(handshake_frame_bytes, handshake_frame_bytes), socket_(std::move(socket))
{
}

TcpLink::~TcpLink()
{
	// Dropped without close(): no GOODBYE (nothing may refer to this
	// object any more).
	if (phase() != Phase::closed) {
		boost::system::error_code ignored;
		socket_.close(ignored);
	}
	dropped();
}

void TcpLink::begin()
{
	if (!handshaking() || reading_)
		return;
	begin_handshake();
	if (handshaking())
		read();
}

hps::Result<void, std::string> TcpLink::authenticated(const Peer&, const Limits& receive)
{
	rx_.set_bounds(max_frame_bytes(receive), read_chunk);
	return {};
}

// --- receiving

void TcpLink::read()
{
	reading_ = true;
	const std::span<std::byte> space = rx_.space();
	socket_.async_read_some(asio::buffer(space.data(), space.size()),
				[weak = weak_from_this()](const boost::system::error_code& ec,
							  std::size_t bytes) {
					if (auto self = lock_as<TcpLink>(weak))
						self->on_read(ec, bytes);
				});
}

void TcpLink::on_read(const boost::system::error_code& ec, std::size_t bytes)
{
	reading_ = false;
	if (phase() != Phase::handshaking && phase() != Phase::running)
		return;
	if (ec) {
		const bool eof = ec == asio::error::eof;
		std::string reason = eof ? "the peer closed the connection" : "receive: " + ec.message();
		if (phase() == Phase::handshaking)
			reason += " during the handshake";
		// A stranger hanging up during the handshake is not worth a warning.
		end(phase() == Phase::running ? LogLevel::warn : LogLevel::info, reason, std::nullopt,
		    true);
		return;
	}
	rx_.commit(bytes);
	if (phase() == Phase::running)
		keepalive_.received(Clock::now());
	take_frames();
}

void TcpLink::take_frames()
{
	while (phase() == Phase::handshaking || phase() == Phase::running) {
		auto frame = rx_.next(receive_limits());
		if (!frame) {
			const std::string reason = "bad frame: " + frame.error();
			end(LogLevel::warn, reason, Error{ErrorCode::protocol, error_text(reason)}, true);
			return;
		}
		if (!frame->has_value())
			break;
		on_frame(**frame);
	}
	// Once established, reading waits for start().
	if ((phase() == Phase::handshaking || phase() == Phase::running) && !reading_)
		read();
}

// --- sending

void TcpLink::write()
{
	if (writing_ || tx_.empty() || phase() == Phase::closed)
		return;
	spans_.clear();
	tx_.gather(spans_, max_write_buffers);
	iov_.clear();
	in_flight_ = 0;
	for (std::span<const std::byte> s : spans_) {
		iov_.emplace_back(s.data(), s.size());
		in_flight_ += s.size();
	}
	writing_ = true;
	socket_.async_write_some(iov_, [weak = weak_from_this()](const boost::system::error_code& ec,
								 std::size_t bytes) {
		if (auto self = lock_as<TcpLink>(weak))
			self->on_written(ec, bytes);
	});
}

void TcpLink::on_written(const boost::system::error_code& ec, std::size_t bytes)
{
	writing_ = false;
	in_flight_ = 0;
	if (phase() == Phase::closed)
		return;
	if (ec) {
		if (phase() == Phase::closing)
			finish();
		else
			end(LogLevel::warn, "send: " + ec.message(), std::nullopt, true);
		return;
	}
	if (phase() == Phase::running)
		keepalive_.progressed(Clock::now());
	// Releases and on_writable may send or close; self stays alive.
	const auto self = shared_from_this();
	for (const Release& release : tx_.written(bytes))
		release();
	if (phase() == Phase::running && tx_.take_room() && handlers_.on_writable)
		handlers_.on_writable();
	if (phase() == Phase::closing && tx_.empty())
		finish();
	else
		write();
}

std::string TcpLink::stalled_text() const
{
	return "the peer took none of " + std::to_string(tx_.bytes()) + " queued bytes for " +
	       ms(keepalive_.timeout());
}

// --- closing

// The frames a write has begun stay: the stream cannot take back half a
// frame, and the last frame goes after them.
std::vector<Release> TcpLink::drop_unsent()
{
	return tx_.drop_unstarted(in_flight_);
}

void TcpLink::shut()
{
	boost::system::error_code ignored;
	// FIN after what was written, so a last ERROR arrives before the end.
	socket_.shutdown(Socket::shutdown_both, ignored);
	socket_.close(ignored);
}

} // namespace hpsd::replication
