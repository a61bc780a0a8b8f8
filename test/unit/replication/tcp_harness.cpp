// SPDX-License-Identifier: GPL-2.0-only
#include "tcp_harness.hpp"

#include <boost/asio/write.hpp>

#include <catch2/catch.hpp>

namespace tcptest {

bool run_until(asio::io_context& io, const std::function<bool()>& done,
	       std::chrono::milliseconds limit)
{
	const auto end = std::chrono::steady_clock::now() + limit;
	while (!done()) {
		if (std::chrono::steady_clock::now() >= end)
			return false;
		io.run_one_for(10ms);
		if (io.stopped())
			io.restart();
	}
	return true;
}

void run_for(asio::io_context& io, std::chrono::milliseconds period)
{
	const auto end = std::chrono::steady_clock::now() + period;
	(void)run_until(io, [&] { return std::chrono::steady_clock::now() >= end; }, period + 1s);
}

LogFn LogLines::fn()
{
	return [this](hpsd::LogLevel, std::string_view line) { lines.emplace_back(line); };
}

bool LogLines::has(std::string_view part) const
{
	for (const auto& l : lines)
		if (l.find(part) != std::string::npos)
			return true;
	return false;
}

std::string LogLines::all() const
{
	std::string text;
	for (const auto& l : lines)
		text += l + "\n";
	return text;
}

LinkSettings settings(const std::string& node, LogLines& log, std::uint8_t secret_fill)
{
	LinkSettings s;
	s.cluster = cluster_of(9);
	s.node = node;
	auto secret = ClusterSecret::from_bytes(std::vector<std::uint8_t>(32, secret_fill));
	REQUIRE(secret);
	s.secret = std::make_shared<const ClusterSecret>(std::move(secret).value());
	s.nonces = std::make_shared<RandomNonces>();
	s.keepalive = 50ms;
	s.peer_timeout = 400ms;
	s.handshake_timeout = 500ms;
	s.log = log.fn();
	return s;
}

Bytes Received::encoded() const
{
	if (const auto* w = std::get_if<Write>(&message)) {
		Write copy = *w;
		copy.data = data;
		return encode(copy);
	}
	return encode(message);
}

std::function<void(std::shared_ptr<Link>)> Owner::take()
{
	return [this](std::shared_ptr<Link> l) {
		link = std::move(l);
		lost.reset();
		links++;
		LinkHandlers h;
		h.on_message = [this](const Message& m) {
			Received r{m, {}};
			if (auto* w = std::get_if<Write>(&r.message)) {
				r.data.assign(w->data.begin(), w->data.end());
				w->data = {};
			}
			received.push_back(std::move(r));
		};
		h.on_writable = [this] { writable++; };
		h.on_lost = [this](const std::string& reason) { lost = reason; };
		link->start(std::move(h));
	};
}

RawPeer::RawPeer(asio::io_context& io, std::uint16_t port)
	: io_(io), socket_(io), rx_(max_frame_bytes(Limits{}), 4096)
{
	// The listener's kernel completes the connection before it accepts.
	socket_.connect({asio::ip::make_address("127.0.0.1"), port});
}

void RawPeer::send(const Bytes& bytes)
{
	// Small writes to a local socket do not block.
	asio::write(socket_, asio::buffer(bytes.data(), bytes.size()));
}

std::optional<Message> RawPeer::next(const Limits& limits)
{
	const auto end = std::chrono::steady_clock::now() + deadline;
	while (!closed_ && std::chrono::steady_clock::now() < end) {
		auto frame = rx_.next(limits);
		REQUIRE(frame);
		if (frame->has_value())
			return std::move(frame).value();
		bool done = false;
		const auto space = rx_.space();
		socket_.async_read_some(asio::buffer(space.data(), space.size()),
					[&](const boost::system::error_code& ec, std::size_t n) {
						done = true;
						if (ec)
							closed_ = true;
						else
							rx_.commit(n);
					});
		if (!run_until(io_, [&] { return done; })) {
			socket_.cancel();
			(void)run_until(io_, [&] { return done; });
		}
	}
	return std::nullopt;
}

bool RawPeer::wait_closed()
{
	while (next())
		;
	return closed_;
}

bool RawPeer::handshake(const LinkSettings& mine, const std::string& expected_peer)
{
	HandshakeConfig config;
	config.cluster = mine.cluster;
	config.node = mine.node;
	config.expected_peer = expected_peer;
	auto hs = Handshake::create(Handshake::Role::initiator, config, *mine.secret, *mine.nonces);
	REQUIRE(hs);
	Handshake::Step step = hs->start();
	while (step && step->has_value() && !hs->established()) {
		send(encode(**step, hs->send_version()));
		auto reply = next(hs->receive_limits());
		if (!reply)
			return false;
		step = hs->receive(*reply);
	}
	return step && hs->established();
}

} // namespace tcptest
