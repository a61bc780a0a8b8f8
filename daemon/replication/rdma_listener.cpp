// SPDX-License-Identifier: GPL-2.0-only
#include "replication/rdma_listener.hpp"

#include "replication/rdma_endpoint.hpp"
#include "replication/rdma_link.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <arpa/inet.h>

#include <map>

namespace hpsd::replication {

namespace asio = boost::asio;
using rdma::RdmaEndpoint;

struct RdmaListener::State : std::enable_shared_from_this<State> {
	State(asio::io_context& i, LinkSettings s, OnLink l, std::size_t max, RdmaOptions o)
		: io(i), settings(std::move(s)), on_link(std::move(l)), max_handshakes(max),
		  options(o), watch(i)
	{
	}
	~State() { stop_watching(); }

	void watch_events();
	void on_events();
	void on_connect_request(rdma::CmId id);
	void stop_watching() noexcept
	{
		// The fd is the channel's: release, never close.
		if (watch.is_open())
			(void)watch.release();
	}
	void log(LogLevel level, const std::string& text) const
	{
		if (settings.log)
			settings.log(level, "replication: " + text);
	}

	asio::io_context& io;
	LinkSettings settings;
	OnLink on_link;
	std::size_t max_handshakes;
	RdmaOptions options;
	// The listening id and its channel; the id goes first.
	rdma::EventChannel channel;
	rdma::CmId id;
	asio::posix::stream_descriptor watch;
	// Held until their handshake ends, by a serial number of this listener.
	std::map<std::uint64_t, std::shared_ptr<RdmaLink>> handshaking;
	std::uint64_t next_id = 1;
	std::string where; // "0.0.0.0:7790", for logs
	bool stopped = false;
};

RdmaListener::RdmaListener(asio::io_context& io, LinkSettings settings, OnLink on_link,
			   std::size_t max_handshakes, RdmaOptions options)
	: state_(std::make_shared<State>(io, std::move(settings), std::move(on_link), max_handshakes,
					 options))
{
}

RdmaListener::~RdmaListener()
{
	stop();
}

hps::Result<void, std::string> RdmaListener::listen(const ListenAddress& address)
{
	State& s = *state_;
	s.where = to_string(address);
	auto failed = [&](const std::string& why) {
		return hps::fail("replication: cannot listen on " + s.where + " (RDMA): " + why);
	};
	boost::system::error_code ec;
	asio::ip::tcp::resolver resolver(s.io);
	const auto found = resolver.resolve(address.host, std::to_string(address.port),
					    asio::ip::tcp::resolver::passive |
						    asio::ip::tcp::resolver::numeric_service,
					    ec);
	if (ec)
		return failed("resolve: " + ec.message());
	if (found.empty())
		return failed("no address");
	asio::ip::tcp::endpoint endpoint = found.begin()->endpoint();

	auto channel = rdma::make_event_channel();
	if (!channel)
		return failed(channel.error());
	rdma_cm_id* raw = nullptr;
	if (rdma_create_id(channel->get(), &raw, nullptr, RDMA_PS_TCP) != 0)
		return failed(rdma::failure("rdma_create_id"));
	rdma::CmId id(raw);
	if (rdma_bind_addr(id.get(), endpoint.data()) != 0)
		return failed(rdma::failure("rdma_bind_addr"));
	if (rdma_listen(id.get(), 64) != 0)
		return failed(rdma::failure("rdma_listen"));
	if (s.watch.assign(channel.value()->fd, ec); ec)
		return failed("cannot wait for its events: " + ec.message());
	s.channel = std::move(channel).value();
	s.id = std::move(id);
	s.where = to_string(ListenAddress{address.host, port()}); // port 0 chose one
	s.log(LogLevel::info, "listening on " + s.where + " (RDMA)");
	s.watch_events();
	return {};
}

std::uint16_t RdmaListener::port() const noexcept
{
	return state_->id ? ntohs(rdma_get_src_port(state_->id.get())) : 0;
}

void RdmaListener::stop()
{
	State& s = *state_;
	if (s.stopped)
		return;
	s.stopped = true;
	s.stop_watching();
	s.id.reset();
	s.channel.reset();
	// close() may run their hooks, which edit the list: close a copy.
	const auto pending = std::move(s.handshaking);
	s.handshaking.clear();
	for (const auto& [serial, link] : pending)
		link->close("the listener stopped");
}

void RdmaListener::State::watch_events()
{
	watch.async_wait(asio::posix::stream_descriptor::wait_read,
			 [self = shared_from_this()](const boost::system::error_code& ec) {
				 if (!ec && !self->stopped)
					 self->on_events();
			 });
}

void RdmaListener::State::on_events()
{
	while (!stopped) {
		auto event = rdma::next_cm_event(channel.get());
		if (!event) {
			log(LogLevel::error, "RDMA listener on " + where + ": " + event.error());
			return; // stop waiting: the channel is broken
		}
		if (!*event)
			break;
		const rdma_cm_event_type type = (*event)->event;
		rdma_cm_id* child = (*event)->id;
		// Acknowledged before the new id is used: migrating it to a
		// channel of its own waits for that.
		event->reset();
		if (type == RDMA_CM_EVENT_CONNECT_REQUEST)
			on_connect_request(rdma::CmId(child));
		else if (type == RDMA_CM_EVENT_DEVICE_REMOVAL)
			log(LogLevel::error, "RDMA listener on " + where + ": the device was removed");
	}
	if (!stopped)
		watch_events();
}

void RdmaListener::State::on_connect_request(rdma::CmId id)
{
	const std::string from = rdma::address_text(rdma_get_peer_addr(id.get()));
	if (stopped)
		return; // destroying the id rejects the request
	if (handshaking.size() >= max_handshakes) {
		log(LogLevel::warn, "refused an RDMA connection from " + from + ": " +
					    std::to_string(handshaking.size()) +
					    " connections are in their handshake already");
		(void)rdma_reject(id.get(), nullptr, 0);
		return;
	}
	auto refuse = [&](const std::string& why) {
		log(LogLevel::warn, "cannot accept an RDMA connection from " + from + ": " + why);
	};
	auto endpoint = RdmaEndpoint::adopt(std::move(id));
	if (!endpoint) {
		refuse(endpoint.error());
		return;
	}
	if (auto made = endpoint->create_queue_pair(options); !made) {
		refuse(made.error());
		return;
	}
	rdma_conn_param param = rdma::connection_parameters();
	if (rdma_accept(endpoint->id(), &param) != 0) {
		refuse(rdma::failure("rdma_accept"));
		return;
	}

	const std::weak_ptr<State> weak = weak_from_this();
	const std::uint64_t serial = next_id++;
	// Whichever way the handshake ends, the link leaves `handshaking`.
	auto forget = [weak, serial] {
		if (auto s = weak.lock())
			s->handshaking.erase(serial);
	};
	RdmaLink::Hooks hooks;
	hooks.on_established = [weak, forget](std::shared_ptr<FramedLink> link) {
		forget();
		auto s = weak.lock();
		if (!s || s->stopped || !s->on_link)
			link->close("the listener stopped");
		else
			s->on_link(std::move(link));
	};
	hooks.on_closed = [forget](bool) { forget(); };
	auto link = RdmaLink::create(io, std::move(endpoint).value(), Handshake::Role::acceptor,
				     std::nullopt, settings, options, std::move(hooks));
	if (!link) {
		log(LogLevel::error, link.error());
		return;
	}
	handshaking.emplace(serial, *link);
	(*link)->begin();
}

} // namespace hpsd::replication
