// SPDX-License-Identifier: GPL-2.0-only
#include "replication/tcp_listener.hpp"

#include "replication/tcp_link.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <map>

namespace hpsd::replication {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct TcpListener::State : std::enable_shared_from_this<State> {
	State(asio::io_context& io, LinkSettings s, OnLink l, std::size_t max)
		: settings(std::move(s)), on_link(std::move(l)), max_handshakes(max), acceptor(io),
		  retry_timer(io)
	{
	}

	void accept_next();
	void on_accept(const boost::system::error_code& ec, tcp::socket socket);
	void log(LogLevel level, const std::string& text) const
	{
		if (settings.log)
			settings.log(level, "replication: " + text);
	}

	LinkSettings settings;
	OnLink on_link;
	std::size_t max_handshakes;
	tcp::acceptor acceptor;
	asio::steady_timer retry_timer;
	// Held until their handshake ends, by a serial number of this listener.
	std::map<std::uint64_t, std::shared_ptr<TcpLink>> handshaking;
	std::uint64_t next_id = 1;
	std::string where;				   // "0.0.0.0:7790", for logs
	bool stopped = false;
};

TcpListener::TcpListener(asio::io_context& io, LinkSettings settings, OnLink on_link,
			 std::size_t max_handshakes)
	: state_(std::make_shared<State>(io, std::move(settings), std::move(on_link), max_handshakes))
{
}

TcpListener::~TcpListener()
{
	stop();
}

hps::Result<void, std::string> TcpListener::listen(const ListenAddress& address)
{
	State& s = *state_;
	s.where = to_string(address);
	boost::system::error_code ec;
	auto failed = [&](const char* step) {
		return hps::fail("replication: cannot listen on " + s.where + ": " + step + ": " +
				 ec.message());
	};
	tcp::resolver resolver(s.acceptor.get_executor());
	const auto found = resolver.resolve(address.host, std::to_string(address.port),
					    tcp::resolver::passive | tcp::resolver::numeric_service,
					    ec);
	if (ec)
		return failed("resolve");
	if (found.empty())
		return hps::fail("replication: cannot listen on " + s.where + ": no address");
	const tcp::endpoint endpoint = found.begin()->endpoint();
	if (s.acceptor.open(endpoint.protocol(), ec); ec)
		return failed("socket");
	// A restarted hpsd must get its port back while the old connections
	// are in TIME_WAIT.
	if (s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec); ec)
		return failed("SO_REUSEADDR");
	if (s.acceptor.bind(endpoint, ec); ec)
		return failed("bind");
	if (s.acceptor.listen(asio::socket_base::max_listen_connections, ec); ec)
		return failed("listen");
	s.where = to_string(ListenAddress{address.host, port()}); // port 0 chose one
	s.log(LogLevel::info, "listening on " + s.where);
	s.accept_next();
	return {};
}

std::uint16_t TcpListener::port() const noexcept
{
	boost::system::error_code ec;
	const auto endpoint = state_->acceptor.local_endpoint(ec);
	return ec ? 0 : endpoint.port();
}

void TcpListener::stop()
{
	State& s = *state_;
	if (s.stopped)
		return;
	s.stopped = true;
	boost::system::error_code ignored;
	s.acceptor.close(ignored);
	s.retry_timer.cancel();
	// close() may run their hooks, which edit the list: close a copy.
	const auto pending = std::move(s.handshaking);
	s.handshaking.clear();
	for (const auto& [id, link] : pending)
		link->close("the listener stopped");
}

void TcpListener::State::accept_next()
{
	acceptor.async_accept([self = shared_from_this()](const boost::system::error_code& ec,
							   tcp::socket socket) {
		self->on_accept(ec, std::move(socket));
	});
}

void TcpListener::State::on_accept(const boost::system::error_code& ec, tcp::socket socket)
{
	if (stopped || ec == asio::error::operation_aborted)
		return;
	if (ec) {
		// Typically EMFILE: retrying at once would spin on it.
		log(LogLevel::warn, "accept on " + where + ": " + ec.message());
		retry_timer.expires_after(std::chrono::milliseconds(100));
		retry_timer.async_wait([self = shared_from_this()](const boost::system::error_code& t) {
			if (!t && !self->stopped)
				self->accept_next();
		});
		return;
	}
	accept_next();

	boost::system::error_code peer_ec;
	const auto peer = socket.remote_endpoint(peer_ec);
	const std::string from = peer_ec ? "unknown peer" : peer.address().to_string();
	if (handshaking.size() >= max_handshakes) {
		log(LogLevel::warn, "refused a connection from " + from + ": " +
					    std::to_string(handshaking.size()) +
					    " connections are in their handshake already");
		return; // the socket closes here
	}
	boost::system::error_code ignored;
	socket.set_option(tcp::no_delay(true), ignored);

	const std::weak_ptr<State> weak = weak_from_this();
	const std::uint64_t id = next_id++;
	// Whichever way the handshake ends, the link leaves `handshaking`.
	auto forget = [weak, id] {
		if (auto s = weak.lock())
			s->handshaking.erase(id);
	};
	TcpLink::Hooks hooks;
	hooks.on_established = [weak, forget](std::shared_ptr<FramedLink> link) {
		forget();
		auto s = weak.lock();
		if (!s || s->stopped || !s->on_link)
			link->close("the listener stopped");
		else
			s->on_link(std::move(link));
	};
	hooks.on_closed = [forget](bool) { forget(); };
	auto link = TcpLink::create(std::move(socket), Handshake::Role::acceptor, std::nullopt,
				    settings, std::move(hooks));
	if (!link) {
		log(LogLevel::error, link.error());
		return;
	}
	handshaking.emplace(id, *link);
	(*link)->begin();
}

} // namespace hpsd::replication
