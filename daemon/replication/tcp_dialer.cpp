// SPDX-License-Identifier: GPL-2.0-only
#include "replication/tcp_dialer.hpp"

#include "replication/dial_backoff.hpp"
#include "replication/tcp_link.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <concepts>

namespace hpsd::replication {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct TcpDialer::State : std::enable_shared_from_this<State> {
	State(asio::io_context& io, LinkSettings s, std::string node, ListenAddress a, DialOptions o,
	      OnLink l)
		: settings(std::move(s)), peer_node(std::move(node)), address(std::move(a)),
		  options(o), on_link(std::move(l)), resolver(io), socket(io), connect_timer(io),
		  retry_timer(io), backoff(o)
	{
	}

	void dial();
	void on_resolved(const boost::system::error_code& ec, const tcp::resolver::results_type& found);
	void on_connected(const boost::system::error_code& ec);
	void on_closed(bool established);
	void failed(const std::string& reason);
	void retry();
	void abandon_attempt();

	// Wraps a handler of the current attempt: it does nothing once the
	// attempt is over (timed out, superseded, stopped).
	template <class F>
	auto guarded(F f)
	{
		// Constrained, so Asio's overloads (async_connect's) see the
		// handler's real signature.
		return [weak = weak_from_this(), attempt = attempt, f = std::move(f)](auto&&... args)
			requires std::invocable<const F&, State&, decltype(args)...>
		{
			auto self = weak.lock();
			if (self && !self->stopped && self->attempt == attempt)
				f(*self, std::forward<decltype(args)>(args)...);
		};
	}

	void log(LogLevel level, const std::string& text) const
	{
		if (settings.log)
			settings.log(level, "replication: " + text);
	}

	LinkSettings settings;
	std::string peer_node;
	ListenAddress address;
	DialOptions options;
	OnLink on_link;
	tcp::resolver resolver;
	tcp::socket socket;
	asio::steady_timer connect_timer;
	asio::steady_timer retry_timer;
	std::shared_ptr<TcpLink> handshaking;
	DialBackoff backoff;
	std::uint64_t attempt = 0;
	bool stopped = true;
};

TcpDialer::TcpDialer(asio::io_context& io, LinkSettings settings, std::string peer_node,
		     ListenAddress address, DialOptions options, OnLink on_link)
	: state_(std::make_shared<State>(io, std::move(settings), std::move(peer_node),
					 std::move(address), options, std::move(on_link)))
{
}

TcpDialer::~TcpDialer()
{
	stop();
}

void TcpDialer::start()
{
	if (!state_->stopped)
		return;
	state_->stopped = false;
	state_->dial();
}

void TcpDialer::stop()
{
	State& s = *state_;
	if (s.stopped)
		return;
	s.stopped = true;
	s.abandon_attempt();
	s.retry_timer.cancel();
}

unsigned TcpDialer::failures() const noexcept
{
	return state_->backoff.failures();
}

void TcpDialer::State::dial()
{
	++attempt;
	connect_timer.expires_after(options.connect_timeout);
	connect_timer.async_wait(guarded([](State& s, const boost::system::error_code& ec) {
		if (!ec)
			s.failed("no connection within " + std::to_string(s.options.connect_timeout.count()) +
				 " ms");
	}));
	resolver.async_resolve(address.host, std::to_string(address.port),
			       tcp::resolver::numeric_service,
			       guarded([](State& s, const boost::system::error_code& ec,
					  const tcp::resolver::results_type& found) {
				       s.on_resolved(ec, found);
			       }));
}

void TcpDialer::State::on_resolved(const boost::system::error_code& ec,
				   const tcp::resolver::results_type& found)
{
	if (ec) {
		failed("resolve: " + ec.message());
		return;
	}
	socket = tcp::socket(resolver.get_executor());
	asio::async_connect(socket, found,
			    guarded([](State& s, const boost::system::error_code& connect_ec,
				       const tcp::endpoint&) { s.on_connected(connect_ec); }));
}

void TcpDialer::State::on_connected(const boost::system::error_code& ec)
{
	connect_timer.cancel();
	if (ec) {
		failed(ec.message());
		return;
	}
	boost::system::error_code ignored;
	socket.set_option(tcp::no_delay(true), ignored);

	TcpLink::Hooks hooks;
	hooks.on_established = guarded([](State& s, std::shared_ptr<FramedLink> link) {
		s.handshaking.reset();
		s.backoff.established(Clock::now());
		if (s.on_link)
			s.on_link(std::move(link));
	});
	// Not guarded: a link handed out ends after its attempt is long over.
	hooks.on_closed = [weak = weak_from_this()](bool established) {
		if (auto s = weak.lock(); s && !s->stopped)
			s->on_closed(established);
	};
	auto link = TcpLink::create(std::move(socket), Handshake::Role::initiator, peer_node,
				    settings, std::move(hooks));
	if (!link) {
		// Bad settings (this node's id): dialling again will not help.
		log(LogLevel::error, link.error());
		return;
	}
	handshaking = *link;
	handshaking->begin();
}

void TcpDialer::State::on_closed(bool established)
{
	if (!established) {
		// The handshake failed; the link said why.
		handshaking.reset();
		backoff.failed();
	} else {
		backoff.link_ended(Clock::now());
	}
	retry();
}

void TcpDialer::State::failed(const std::string& reason)
{
	abandon_attempt();
	backoff.failed();
	// The first failure in a row is news; the rest, until it works, are not.
	log(backoff.failures() == 1 ? LogLevel::warn : LogLevel::debug,
	    "cannot connect to " + peer_node + " at " + to_string(address) + ": " + reason +
		    "; retrying in " + std::to_string(backoff.delay().count()) + " ms");
	retry();
}

void TcpDialer::State::retry()
{
	if (stopped)
		return;
	retry_timer.expires_after(backoff.delay());
	retry_timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
		if (auto s = weak.lock(); s && !ec && !s->stopped)
			s->dial();
	});
}

void TcpDialer::State::abandon_attempt()
{
	++attempt; // the attempt's pending handlers now do nothing
	resolver.cancel();
	connect_timer.cancel();
	boost::system::error_code ignored;
	socket.close(ignored);
	if (handshaking) {
		const auto link = std::move(handshaking);
		handshaking.reset();
		link->close("dialling stopped");
	}
}

} // namespace hpsd::replication
