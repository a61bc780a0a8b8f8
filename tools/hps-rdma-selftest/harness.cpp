// SPDX-License-Identifier: GPL-2.0-only
#include "hps-rdma-selftest/harness.hpp"

#include <memory>

namespace rdmatest {

void expect(bool condition, const std::string& what)
{
	if (!condition)
		throw Failed(what);
}

bool run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit)
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
		text += "    " + l + "\n";
	return text;
}

LinkSettings settings(const std::string& node, LogLines& log, std::uint8_t secret_fill)
{
	LinkSettings s;
	for (std::size_t i = 0; i < s.cluster.size(); i++)
		s.cluster[i] = static_cast<std::uint8_t>(0x5a ^ (i * 17));
	s.node = node;
	auto secret = ClusterSecret::from_bytes(std::vector<std::uint8_t>(32, secret_fill));
	expect(secret.ok(), "cluster secret");
	s.secret = std::make_shared<const ClusterSecret>(std::move(secret).value());
	s.nonces = std::make_shared<RandomNonces>();
	s.keepalive = keepalive;
	s.peer_timeout = peer_timeout;
	s.handshake_timeout = 2s;
	s.log = log.fn();
	return s;
}

std::function<void(std::shared_ptr<Link>)> Owner::take()
{
	return [this](std::shared_ptr<Link> l) {
		link = std::move(l);
		lost.reset();
		links++;
		LinkHandlers h;
		h.on_message = [this](const Message& m) {
			if (on_message) {
				on_message(m);
				return;
			}
			Received r{m, {}};
			if (auto* w = std::get_if<Write>(&r.message)) {
				r.data.assign(w->data.begin(), w->data.end());
				w->data = {};
			}
			received.push_back(std::move(r));
		};
		h.on_writable = [this] {
			writable++;
			if (on_writable)
				on_writable();
		};
		h.on_lost = [this](const std::string& reason) { lost = reason; };
		link->start(std::move(h));
	};
}

Bytes pattern(std::size_t size, unsigned seed)
{
	Bytes b(size);
	for (std::size_t i = 0; i < size; i++)
		b[i] = static_cast<std::byte>((i * 131 + seed) >> 3);
	return b;
}

} // namespace rdmatest
