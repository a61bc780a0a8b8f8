// SPDX-License-Identifier: GPL-2.0-only
#include "replication/rdma_dialer.hpp"

#include "replication/dial_backoff.hpp"
#include "replication/rdma_endpoint.hpp"
#include "replication/rdma_link.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <concepts>
#include <optional>

namespace hpsd::replication {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using rdma::RdmaEndpoint;

struct RdmaDialer::State : std::enable_shared_from_this<State> {
	State(asio::io_context& i, LinkSettings s, std::string node, ListenAddress a, DialOptions o,
	      OnLink l, RdmaOptions r)
		: io(i), settings(std::move(s)), peer_node(std::move(node)), address(std::move(a)),
		  options(o), rdma_options(r), on_link(std::move(l)), resolver(i), connect_timer(i),
		  retry_timer(i), watch(i), backoff(o)
	{
	}
	~State() { stop_watching(); }

	void dial();
	void on_resolved(const boost::system::error_code& ec, const tcp::resolver::results_type& found);
	void watch_events();
	void on_events();
	// One event of the attempt's id; false when the attempt is over.
	bool on_event(rdma_cm_event_type type, const std::string& text);
	void on_connected();
	void on_closed(bool established);
	void failed(const std::string& reason);
	void retry();
	void abandon_attempt();
	void stop_watching() noexcept
	{
		// The fd is the endpoint's channel's: release, never close.
		if (watch.is_open())
			(void)watch.release();
	}
	int resolve_timeout() const
	{
		return static_cast<int>(rdma_options.resolve_timeout.count());
	}

	// Wraps a handler of the current attempt: it does nothing once the
	// attempt is over (timed out, superseded, stopped).
	template <class F>
	auto guarded(F f)
	{
		// Constrained, so Asio's overloads see the handler's real
		// signature.
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

	asio::io_context& io;
	LinkSettings settings;
	std::string peer_node;
	ListenAddress address;
	DialOptions options;
	RdmaOptions rdma_options;
	OnLink on_link;
	tcp::resolver resolver;
	asio::steady_timer connect_timer;
	asio::steady_timer retry_timer;
	// The attempt's connection until it is established, and the wait for
	// its events (released before the endpoint goes).
	std::optional<RdmaEndpoint> connecting;
	asio::posix::stream_descriptor watch;
	std::shared_ptr<RdmaLink> handshaking;
	DialBackoff backoff;
	std::uint64_t attempt = 0;
	bool stopped = true;
};

RdmaDialer::RdmaDialer(asio::io_context& io, LinkSettings settings, std::string peer_node,
		       ListenAddress address, DialOptions options, OnLink on_link,
		       RdmaOptions rdma_options)
	: state_(std::make_shared<State>(io, std::move(settings), std::move(peer_node),
					 std::move(address), options, std::move(on_link),
					 rdma_options))
{
}

RdmaDialer::~RdmaDialer()
{
	stop();
}

void RdmaDialer::start()
{
	if (!state_->stopped)
		return;
	state_->stopped = false;
	state_->dial();
}

void RdmaDialer::stop()
{
	State& s = *state_;
	if (s.stopped)
		return;
	s.stopped = true;
	s.abandon_attempt();
	s.retry_timer.cancel();
}

unsigned RdmaDialer::failures() const noexcept
{
	return state_->backoff.failures();
}

void RdmaDialer::State::dial()
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

void RdmaDialer::State::on_resolved(const boost::system::error_code& ec,
				    const tcp::resolver::results_type& found)
{
	if (ec) {
		failed("resolve: " + ec.message());
		return;
	}
	auto endpoint = RdmaEndpoint::open();
	if (!endpoint) {
		failed(endpoint.error());
		return;
	}
	connecting.emplace(std::move(endpoint).value());
	boost::system::error_code watch_ec;
	if (watch.assign(connecting->event_fd(), watch_ec); watch_ec) {
		failed("cannot wait for RDMA events: " + watch_ec.message());
		return;
	}
	tcp::endpoint peer = found.begin()->endpoint();
	// Which device and port reach the peer; then the route; then connect
	// (on_event), each step one event.
	if (rdma_resolve_addr(connecting->id(), nullptr, peer.data(), resolve_timeout()) != 0) {
		failed(rdma::failure("rdma_resolve_addr"));
		return;
	}
	watch_events();
}

void RdmaDialer::State::watch_events()
{
	watch.async_wait(asio::posix::stream_descriptor::wait_read,
			 guarded([](State& s, const boost::system::error_code& ec) {
				 if (!ec)
					 s.on_events();
			 }));
}

void RdmaDialer::State::on_events()
{
	const std::uint64_t mine = attempt;
	while (!stopped && attempt == mine && connecting) {
		auto event = rdma::next_cm_event(connecting->events());
		if (!event) {
			failed(event.error());
			return;
		}
		if (!*event) {
			watch_events();
			return;
		}
		const rdma_cm_event_type type = (*event)->event;
		const std::string text = rdma::event_text(**event);
		event->reset(); // acknowledged before the id is used again
		if (!on_event(type, text))
			return;
	}
}

bool RdmaDialer::State::on_event(rdma_cm_event_type type, const std::string& text)
{
	switch (type) {
	case RDMA_CM_EVENT_ADDR_RESOLVED:
		if (rdma_resolve_route(connecting->id(), resolve_timeout()) != 0) {
			failed(rdma::failure("rdma_resolve_route"));
			return false;
		}
		return true;
	case RDMA_CM_EVENT_ROUTE_RESOLVED: {
		// Now bound to a device: the queue pair, its handshake receives
		// posted before the peer can send.
		if (auto made = connecting->create_queue_pair(rdma_options); !made) {
			failed(made.error());
			return false;
		}
		rdma_conn_param param = rdma::connection_parameters();
		if (rdma_connect(connecting->id(), &param) != 0) {
			failed(rdma::failure("rdma_connect"));
			return false;
		}
		return true;
	}
	case RDMA_CM_EVENT_ESTABLISHED:
		on_connected();
		return false;
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_REJECTED:
	case RDMA_CM_EVENT_CONNECT_ERROR:
	case RDMA_CM_EVENT_DISCONNECTED:
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		failed(text);
		return false;
	default:
		return true;
	}
}

void RdmaDialer::State::on_connected()
{
	connect_timer.cancel();
	stop_watching(); // the link waits on the channel from now on
	RdmaEndpoint endpoint = std::move(*connecting);
	connecting.reset();

	RdmaLink::Hooks hooks;
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
	auto link = RdmaLink::create(io, std::move(endpoint), Handshake::Role::initiator, peer_node,
				     settings, rdma_options, std::move(hooks));
	if (!link) {
		// Bad settings (this node's id): dialling again will not help.
		log(LogLevel::error, link.error());
		return;
	}
	handshaking = *link;
	handshaking->begin();
}

void RdmaDialer::State::on_closed(bool established)
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

void RdmaDialer::State::failed(const std::string& reason)
{
	abandon_attempt();
	backoff.failed();
	// The first failure in a row is news; the rest, until it works, are not.
	log(backoff.failures() == 1 ? LogLevel::warn : LogLevel::debug,
	    "cannot connect to " + peer_node + " at " + to_string(address) + " (RDMA): " + reason +
		    "; retrying in " + std::to_string(backoff.delay().count()) + " ms");
	retry();
}

void RdmaDialer::State::retry()
{
	if (stopped)
		return;
	retry_timer.expires_after(backoff.delay());
	retry_timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
		if (auto s = weak.lock(); s && !ec && !s->stopped)
			s->dial();
	});
}

void RdmaDialer::State::abandon_attempt()
{
	++attempt; // the attempt's pending handlers now do nothing
	resolver.cancel();
	connect_timer.cancel();
	stop_watching();
	if (connecting) {
		// A request may be out: not destroyed while the port is down.
		rdma::retire(io.get_executor(), std::move(*connecting));
		connecting.reset();
	}
	if (handshaking) {
		const auto link = std::move(handshaking);
		handshaking.reset();
		link->close("dialling stopped");
	}
}

} // namespace hpsd::replication
