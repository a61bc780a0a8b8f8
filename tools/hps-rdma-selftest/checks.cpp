// SPDX-License-Identifier: GPL-2.0-only
#include "hps-rdma-selftest/checks.hpp"

#include "hps-rdma-selftest/harness.hpp"
#include "hps-rdma-selftest/raw_peer.hpp"

#include "replication/codec.hpp"
#include "replication/crc32c.hpp"
#include "replication/rdma_dialer.hpp"
#include "replication/rdma_listener.hpp"
#include "replication/tcp_dialer.hpp"
#include "replication/tcp_listener.hpp"

#include <sys/resource.h>

#include <boost/asio/post.hpp>

#include <iomanip>
#include <sstream>
#include <random>

namespace rdmatest {
namespace {

const DialOptions fast_dial{2000ms, 20ms, 200ms};

// stor-2 listens, stor-1 dials it; both ends started once connected.  Over
// RDMA by default; over TCP for a baseline measured in the same place.
template <class Listener = RdmaListener, class Dialer = RdmaDialer>
struct Connected {
	asio::io_context io;
	LogLines log_listener, log_dialer;
	Owner acceptor, initiator;
	Listener listener;
	std::optional<Dialer> dialer;

	Connected(const Options& o, const std::function<void(LinkSettings&)>& tweak_listener = {},
		  const std::function<void(LinkSettings&)>& tweak_dialer = {},
		  RdmaOptions listener_options = {})
		: listener(make_listener(io, tweaked(settings("stor-2", log_listener), tweak_listener),
					 acceptor.take(), listener_options))
	{
		auto listening = listener.listen({o.address, 0});
		expect(listening.ok(), listening ? "" : listening.error());
		dialer.emplace(io, tweaked(settings("stor-1", log_dialer), tweak_dialer), "stor-2",
			       hpsd::ListenAddress{o.address, listener.port()}, fast_dial, initiator.take());
		dialer->start();
		expect(run_until(io, [&] { return acceptor.link && initiator.link; }),
		       "no link within the deadline; listener:\n" + log_listener.all() + "  dialer:\n" +
			       log_dialer.all());
	}

	static Listener make_listener(asio::io_context& io, LinkSettings s, RdmaListener::OnLink on_link,
				      RdmaOptions options)
	{
		if constexpr (std::is_same_v<Listener, RdmaListener>)
			return Listener(io, std::move(s), std::move(on_link),
					RdmaListener::default_max_handshakes, options);
		else
			return Listener(io, std::move(s), std::move(on_link));
	}

	static LinkSettings tweaked(LinkSettings s, const std::function<void(LinkSettings&)>& tweak)
	{
		if (tweak)
			tweak(s);
		return s;
	}
};

// `value` with `decimals` digits after the point.
std::string fixed(double value, int decimals)
{
	std::ostringstream text;
	text << std::fixed << std::setprecision(decimals) << value;
	return text.str();
}

// User and system CPU time of this process so far.
double cpu_seconds()
{
	rusage usage{};
	getrusage(RUSAGE_SELF, &usage);
	auto secs = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
	return secs(usage.ru_utime) + secs(usage.ru_stime);
}

std::string check_handshake(const Options& o)
{
	Connected c(o);
	expect(c.acceptor.link->peer().node == "stor-1", "acceptor's peer is " + c.acceptor.link->peer().node);
	expect(c.initiator.link->peer().node == "stor-2", "initiator's peer is " + c.initiator.link->peer().node);
	expect(c.acceptor.link->peer().version == newest_version, "version");
	expect(c.initiator.link->peer().max_write_bytes == Limits{}.max_write_bytes, "max_write_bytes");
	expect(c.initiator.link->name().find("stor-2 (" + o.address + ":") == 0,
	       "name: " + c.initiator.link->name());
	expect(c.acceptor.link->is_open() && c.initiator.link->is_open(), "links open");
	expect(c.log_listener.has("authenticated, protocol version 1 (RDMA"),
	       "listener log:\n" + c.log_listener.all());
	return c.initiator.link->name() + " <-> " + c.acceptor.link->name();
}

std::string check_messages(const Options& o)
{
	Connected c(o);
	const Bytes small = pattern(4096, 1);
	const Bytes large = pattern(Limits{}.max_write_bytes, 2);
	int released = 0;
	const std::vector<Message> down = {
		Write{7, 1, 8192, true, false, small},
		Write{7, 2, 1U << 30, false, true, large},
		Discard{7, 3, 4096, 65536, false},
		Flush{7, 3},
		Clean{7, 11, {{8192, 4096, 1}, {1U << 30, 1U << 20, 2}}},
		ResyncBegin{7, 4, 0},
		ResyncEnd{7, 3, 0, 0},
		Attach{7, std::uint64_t{10} << 30, 4096, "db1", "db1-image"},
	};
	const std::vector<Message> up = {
		WriteAck{7, 1, 0}, WriteAck{7, 2, 5}, WriteAck{7, 3, 0},
		FlushAck{7, 3, 0}, CleanAck{7, 11, 0}, AttachAck{7, 0},
	};
	for (const Message& m : down)
		expect(c.initiator.link->send(m, [&released] { released++; }).ok(), "send " + describe(m));
	for (const Message& m : up)
		expect(c.acceptor.link->send(m).ok(), "send " + describe(m));
	expect(run_until(c.io, [&] {
		       return c.acceptor.received.size() == down.size() &&
			      c.initiator.received.size() == up.size() && released == int(down.size());
	       }),
	       "not every message arrived");
	auto encoded = [](const Owner::Received& r) {
		if (const auto* w = std::get_if<Write>(&r.message)) {
			Write copy = *w;
			copy.data = r.data;
			return encode(copy);
		}
		return encode(r.message);
	};
	for (std::size_t i = 0; i < down.size(); i++)
		expect(encoded(c.acceptor.received[i]) == encode(down[i]), "differs: " + describe(down[i]));
	for (std::size_t i = 0; i < up.size(); i++)
		expect(encoded(c.initiator.received[i]) == encode(up[i]), "differs: " + describe(up[i]));
	expect(!c.acceptor.lost && !c.initiator.lost, "a link was lost");
	return std::to_string(down.size()) + " down, " + std::to_string(up.size()) +
	       " up, a 1 MiB WRITE among them";
}

// The stream: frames of random sizes, each answered with a WRITE_ACK as a
// secondary would; data checked by CRC, order by seq, releases counted.
template <class Listener, class Dialer>
std::string stream(const Options& o)
{
	// hpsd's default peer timeout (the checks below test the short one):
	// under emulation both ends on one loop can stall each other for
	// longer than 800 ms, which is not what this check is about.
	auto patient = [](LinkSettings& s) { s.peer_timeout = 5s; };
	std::mt19937_64 rng(42);
	Bytes pool(std::size_t{4} << 20);
	for (auto& b : pool)
		b = static_cast<std::byte>(rng());
	const std::uint32_t max_write = Limits{}.max_write_bytes; // the peer's, by default

	struct Frame {
		std::size_t offset, size;
		std::uint32_t crc;
	};
	std::vector<Frame> frames(o.frames);
	std::size_t total = 0;
	for (std::size_t i = 0; i < frames.size(); i++) {
		// Mostly small, now and then the largest the peer takes.
		std::size_t size = (1 + rng() % (o.max_size / sector_bytes)) * sector_bytes;
		if (i % 500 == 250)
			size = max_write;
		const std::size_t offset = (rng() % ((pool.size() - size) / 8)) * 8;
		frames[i] = {offset, size, crc32c(std::span(pool).subspan(offset, size))};
		total += size;
	}
	// Connected only now: the CRCs above take seconds under emulation,
	// while the event loop does not run and the links would look silent.
	Connected<Listener, Dialer> c(o, patient, patient);
	expect(c.initiator.link->peer().max_write_bytes == max_write, "the peer's max_write_bytes");

	// Receiver: checks each WRITE and acks it.
	std::uint64_t next_seq = 1;
	std::string bad;
	std::vector<WriteAck> acks_waiting;
	auto flush_acks = [&] {
		while (!acks_waiting.empty()) {
			auto sent = c.acceptor.link->send(acks_waiting.front());
			if (!sent)
				break;
			acks_waiting.erase(acks_waiting.begin());
		}
	};
	c.acceptor.on_message = [&](const Message& m) {
		const auto* w = std::get_if<Write>(&m);
		if (!w) {
			bad = "unexpected " + describe(m);
			return;
		}
		if (w->seq != next_seq && bad.empty())
			bad = "seq " + std::to_string(w->seq) + " arrived, expected " + std::to_string(next_seq);
		const Frame& f = frames[w->seq - 1];
		if (w->data.size() != f.size && bad.empty())
			bad = "seq " + std::to_string(w->seq) + ": " + std::to_string(w->data.size()) + " bytes";
		if (crc32c(w->data) != f.crc && bad.empty())
			bad = "seq " + std::to_string(w->seq) + ": data differs (CRC)";
		next_seq = w->seq + 1;
		acks_waiting.push_back(WriteAck{7, w->seq, 0});
		flush_acks();
	};
	c.acceptor.on_writable = flush_acks;

	// Sender: as much as the queue takes, the rest on on_writable; a
	// few frames per turn of the event loop, as requests from the kernel
	// would come, so the receiving end (on the same loop) keeps up and
	// neither side looks silent to the other.
	std::size_t next = 0, released = 0, acked = 0, full = 0;
	c.initiator.on_message = [&](const Message& m) {
		if (std::holds_alternative<WriteAck>(m))
			acked++;
	};
	bool push_posted = false;
	std::function<void()> push = [&] {
		push_posted = false;
		for (int turn = 0; next < frames.size(); turn++) {
			if (turn == 16) {
				if (!push_posted)
					asio::post(c.io, push);
				push_posted = true;
				return;
			}
			const Frame& f = frames[next];
			const std::size_t index = next;
			Write w{7, index + 1, std::uint64_t{index} << 20, false, false,
				std::span(pool).subspan(f.offset, f.size)};
			auto sent = c.initiator.link->send(w, [&released, &bad, index] {
				if (released != index && bad.empty())
					bad = "release of frame " + std::to_string(index) + " out of order";
				released++;
			});
			if (!sent) {
				expect(sent.error().kind == SendError::Kind::queue_full,
				       "send: " + std::string(to_string(sent.error().kind)) + " " + sent.error().what);
				full++;
				return;
			}
			next++;
		}
	};
	c.initiator.on_writable = [&] {
		if (!push_posted)
			push();
	};
	const auto started = std::chrono::steady_clock::now();
	push();
	const bool done = run_until(
		c.io, [&] { return (acked == frames.size() && released == frames.size()) || !bad.empty() ||
				   c.acceptor.lost || c.initiator.lost; },
		std::chrono::minutes(5));
	const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
	const std::string progress = std::to_string(next) + " sent, " + std::to_string(next_seq - 1) +
				     " arrived, " + std::to_string(acked) + " acked, " +
				     std::to_string(released) + " released, queue full " +
				     std::to_string(full) + " times, " + fixed(secs, 1) + " s";
	expect(bad.empty(), bad);
	expect(!c.acceptor.lost && !c.initiator.lost,
	       "link lost (" + progress + "): " + c.acceptor.lost.value_or("") +
		       c.initiator.lost.value_or("") + "\n" + c.log_listener.all() + c.log_dialer.all());
	expect(done, "not done: " + progress);
	return std::to_string(frames.size()) + " WRITEs (" + fixed(double(total) / (1 << 20), 1) + " MiB" +
	       ") in order, CRC-verified, acked and released; " +
	       fixed(secs, 2) + " s, " + fixed(double(frames.size()) / secs, 0) + " frames/s, " +
	       fixed(double(total) / (1 << 20) / secs, 1) + " MiB/s" +
	       "; queue full " + std::to_string(full) + " times";
}

std::string check_stream(const Options& o)
{
	return stream<RdmaListener, RdmaDialer>(o);
}

// The same stream over TCP on the same address, for comparison: in the lab
// both ends are in one VM, so TCP takes the loopback path while RDMA goes
// through rxe's emulated NIC.
std::string check_stream_tcp(const Options& o)
{
	return stream<TcpListener, TcpDialer>(o);
}

std::string check_backpressure(const Options& o)
{
	// The listener posts one receive buffer: the dialer has one credit, so
	// its frames wait in its queue, which takes four.
	Connected c(o, {}, [](LinkSettings& s) { s.send_limits = {4, std::size_t{1} << 20}; },
		    RdmaOptions{.receive_window = 1});
	const Bytes data = pattern(4096, 3);
	std::vector<int> released;
	int refused_at = 0;
	// Nothing runs between these sends: no credit comes back meanwhile.
	for (int i = 1; i <= 20 && refused_at == 0; i++) {
		auto sent = c.initiator.link->send(Write{7, std::uint64_t(i), 0, false, false, data},
						   [&released, i] { released.push_back(i); });
		if (!sent) {
			expect(sent.error().kind == SendError::Kind::queue_full,
			       "refused, but not queue_full: " + std::string(to_string(sent.error().kind)));
			refused_at = i;
		}
	}
	expect(refused_at != 0 && refused_at <= 6, "never refused");
	expect(run_until(c.io, [&] { return c.initiator.writable == 1; }), "no on_writable");
	const auto last = std::uint64_t(refused_at);
	expect(c.initiator.link
		       ->send(Write{7, last, 0, false, false, data},
			      [&released, refused_at] { released.push_back(refused_at); })
		       .ok(),
	       "send after on_writable");
	expect(run_until(c.io, [&] {
		       return c.acceptor.received.size() == last && released.size() == last;
	       }),
	       "not all arrived");
	for (int i = 0; i < refused_at; i++)
		expect(released[std::size_t(i)] == i + 1, "releases out of order");
	for (const auto& r : c.acceptor.received)
		expect(r.data == data, "data differs");
	return "window 1: queue full at frame " + std::to_string(refused_at) +
	       ", on_writable, all " + std::to_string(last) + " arrived, released in order";
}

std::string check_refusals(const Options& o)
{
	Connected c(o, [](LinkSettings& s) { s.max_write_bytes = 64 * 1024; });
	expect(c.initiator.link->peer().max_write_bytes == 64 * 1024, "peer's max_write_bytes");
	const Bytes big = pattern(128 * 1024, 4);
	auto too_big = c.initiator.link->send(Write{7, 1, 0, false, false, big});
	expect(!too_big && too_big.error().kind == SendError::Kind::invalid, "a WRITE over the peer's limit");
	auto hello = c.initiator.link->send(Hello{});
	expect(!hello && hello.error().kind == SendError::Kind::invalid, "a HELLO");
	auto zero = c.initiator.link->send(Flush{0, 1});
	expect(!zero && zero.error().kind == SendError::Kind::invalid, "volume 0");
	// And the largest the peer takes goes through.
	const Bytes fits = pattern(64 * 1024, 5);
	expect(c.initiator.link->send(Write{7, 1, 0, false, false, fits}).ok(), "a WRITE at the limit");
	expect(run_until(c.io, [&] { return c.acceptor.received.size() == 1; }), "it did not arrive");
	return "too large, handshake message and volume 0 refused; 64 KiB to a 64 KiB peer sent";
}

std::string check_keepalive(const Options& o)
{
	Connected c(o);
	// Both ends of the link are in this process: its CPU time while the
	// link idles is theirs (and the test loop's, which blocks in epoll).
	const double cpu_before = cpu_seconds();
	run_for(c.io, 3 * peer_timeout);
	const double cpu = cpu_seconds() - cpu_before;
	const double wall = std::chrono::duration<double>(3 * peer_timeout).count();
	expect(!c.acceptor.lost && !c.initiator.lost,
	       "an idle link was lost: " + c.acceptor.lost.value_or("") + c.initiator.lost.value_or(""));
	expect(c.acceptor.link->is_open(), "not open");
	expect(c.acceptor.received.empty() && c.initiator.received.empty(), "PING/PONG delivered");
	// Busy polling would take a whole CPU; PINGs every 100 ms take little.
	expect(cpu < wall / 4, fixed(cpu * 1000, 0) + " ms of CPU in " + fixed(wall * 1000, 0) +
				       " ms idle: busy polling?");
	return "idle for " + fixed(wall * 1000, 0) + " ms with PINGs: still up, " + fixed(cpu * 1000, 0) +
	       " ms of CPU (both ends)";
}

std::string check_silent_peer(const Options& o)
{
	asio::io_context io;
	LogLines log, raw_log;
	Owner owner;
	RdmaListener listener(io, settings("stor-2", log), owner.take());
	auto listening = listener.listen({o.address, 0});
	expect(listening.ok(), listening ? "" : listening.error());
	RawPeer raw(io, o.address, listener.port());
	expect(raw.handshake(settings("stor-1", raw_log), "stor-2"), "raw handshake:\n" + log.all());
	expect(run_until(io, [&] { return owner.link != nullptr; }), "no link handed out");
	// From here the raw peer neither reads nor writes nor grants credits:
	// a hung hpsd.
	const auto started = std::chrono::steady_clock::now();
	expect(run_until(io, [&] { return owner.lost.has_value(); }), "never lost");
	const auto took = std::chrono::steady_clock::now() - started;
	expect(owner.lost->find("nothing received for " + std::to_string(peer_timeout.count()) +
				" ms: peer lost") != std::string::npos,
	       "lost: " + *owner.lost);
	expect(took >= peer_timeout - 50ms && took < peer_timeout + 2s, "lost after the wrong time");
	expect(!owner.link->is_open(), "still open");
	expect(raw.wait_disconnected(), "not disconnected");
	const auto took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
	return "lost after " + std::to_string(took_ms) + " ms (timeout " +
	       std::to_string(peer_timeout.count()) + " ms): " + *owner.lost;
}

std::string check_garbage_first(const Options& o)
{
	asio::io_context io;
	LogLines log;
	Owner owner;
	RdmaListener listener(io, settings("stor-2", log), owner.take());
	auto listening = listener.listen({o.address, 0});
	expect(listening.ok(), listening ? "" : listening.error());
	RawPeer raw(io, o.address, listener.port());
	expect(raw.send(Bytes(64, std::byte{'A'})), "raw send");
	auto reply = raw.next();
	expect(reply && std::holds_alternative<Error>(*reply), "no ERROR back");
	expect(std::get<Error>(*reply).code == ErrorCode::protocol, "not a protocol ERROR");
	expect(raw.wait_disconnected(), "not disconnected");
	expect(log.has("bad frame: magic 0x41414141"), "listener log:\n" + log.all());
	expect(!owner.link, "a link was handed out");
	// One line for the close, none more.
	int lines = 0;
	for (const auto& l : log.lines)
		lines += l.find("bad frame") != std::string::npos ? 1 : 0;
	expect(lines == 1, std::to_string(lines) + " lines about it");
	// A first frame larger than an unauthenticated peer's buffers: the
	// adapter refuses it (the listener's receive fails), the connection
	// closes with one line, and nothing was allocated for it.
	// The sender learns from its SEND failing, or from the disconnect (not
	// always both: if the listener's receive fails before its connection
	// manager has the peer's RTU, it cannot send a disconnect request).
	RawPeer big(io, o.address, listener.port());
	const bool refused = !big.send(Bytes(handshake_frame_bytes + 512, std::byte{'B'}));
	expect(refused || big.wait_disconnected(), "oversized: neither refused nor disconnected");
	expect(run_until(io, [&] { return log.has("RDMA receive failed"); }),
	       "oversized: listener log:\n" + log.all());
	expect(!owner.link, "a link was handed out");
	std::string line;
	for (const auto& l : log.lines)
		if (l.find("RDMA receive failed") != std::string::npos)
			line = l.substr(l.find("RDMA receive failed"));
	return "ERROR " + std::get<Error>(*reply).text + "; an oversized first frame: " + line +
	       (refused ? " (its SEND failed)" : " (disconnected)");
}

std::string check_garbage_after_auth(const Options& o)
{
	asio::io_context io;
	LogLines log, raw_log;
	Owner owner;
	RdmaListener listener(io, settings("stor-2", log), owner.take());
	auto listening = listener.listen({o.address, 0});
	expect(listening.ok(), listening ? "" : listening.error());
	RawPeer raw(io, o.address, listener.port());
	expect(raw.handshake(settings("stor-1", raw_log), "stor-2"), "raw handshake:\n" + log.all());
	expect(raw.granted() > 0, "the listener granted no credits");
	expect(run_until(io, [&] { return owner.link != nullptr; }), "no link handed out");
	// A WRITE whose data was changed after its CRC was computed.
	Bytes frame = encode(Write{7, 1, 0, false, false, pattern(512, 6)});
	frame.back() ^= std::byte{1};
	expect(raw.send(frame), "raw send");
	expect(run_until(io, [&] { return owner.lost.has_value(); }), "not lost");
	expect(owner.lost->find("bad frame") != std::string::npos, "lost: " + *owner.lost);
	expect(log.has("bad frame"), "no log line");
	expect(owner.received.empty(), "the WRITE was delivered");
	expect(!owner.link->is_open(), "still open");
	expect(raw.wait_disconnected(), "not disconnected");
	return *owner.lost;
}

std::string check_wrong_secret(const Options& o)
{
	asio::io_context io;
	LogLines log_listener, log_dialer;
	Owner acceptor, initiator;
	RdmaListener listener(io, settings("stor-2", log_listener), acceptor.take());
	auto listening = listener.listen({o.address, 0});
	expect(listening.ok(), listening ? "" : listening.error());
	RdmaDialer dialer(io, settings("stor-1", log_dialer, 2), "stor-2",
			  hpsd::ListenAddress{o.address, listener.port()}, fast_dial, initiator.take());
	dialer.start();
	expect(run_until(io, [&] { return dialer.failures() >= 2; }), "the dialer kept no count");
	dialer.stop();
	expect(!acceptor.link && !initiator.link, "a link was handed out");
	expect(log_listener.has("failed authentication"), "listener log:\n" + log_listener.all());
	expect(log_dialer.has("authentication failed"), "dialer log:\n" + log_dialer.all());
	return "refused both ways, " + std::to_string(dialer.failures()) + " attempts";
}

std::string check_goodbye(const Options& o)
{
	Connected c(o);
	c.dialer->stop(); // no redialling here
	c.acceptor.link->close("test over");
	expect(!c.acceptor.link->is_open(), "still open");
	auto after = c.acceptor.link->send(WriteAck{7, 1, 0});
	expect(!after && after.error().kind == SendError::Kind::closed, "send after close");
	expect(run_until(c.io, [&] { return c.initiator.lost.has_value(); }), "the peer did not notice");
	expect(*c.initiator.lost == "the peer said GOODBYE", "lost: " + *c.initiator.lost);
	expect(!c.acceptor.lost, "close() reported as a loss");
	expect(c.log_listener.has("closing: test over"), "listener log:\n" + c.log_listener.all());
	return "the peer: " + *c.initiator.lost;
}

std::string check_drop(const Options& o)
{
	Connected c(o);
	c.dialer->stop();
	c.acceptor.link.reset();
	expect(run_until(c.io, [&] { return c.initiator.lost.has_value(); }), "the peer did not notice");
	expect(*c.initiator.lost == "the peer closed the connection", "lost: " + *c.initiator.lost);
	return "the peer: " + *c.initiator.lost;
}

std::string check_reconnect(const Options& o)
{
	asio::io_context io;
	LogLines listen_log, dial_log;
	Owner acceptor, initiator;
	auto listener = std::make_unique<RdmaListener>(io, settings("stor-2", listen_log), acceptor.take());
	auto listening = listener->listen({o.address, 0});
	expect(listening.ok(), listening ? "" : listening.error());
	const std::uint16_t port = listener->port();
	RdmaDialer dialer(io, settings("stor-1", dial_log), "stor-2", hpsd::ListenAddress{o.address, port},
			  fast_dial, initiator.take());
	dialer.start();
	expect(run_until(io, [&] { return acceptor.link && initiator.link; }), "no first link");

	listener.reset();
	acceptor.link.reset();
	expect(run_until(io, [&] { return initiator.lost.has_value(); }), "the loss went unnoticed");
	expect(run_until(io, [&] { return dialer.failures() >= 3; }), "no failed attempts");
	expect(dial_log.has("cannot connect to stor-2 at " + o.address + ":" + std::to_string(port) + " (RDMA)"),
	       "dialer log:\n" + dial_log.all());

	listener = std::make_unique<RdmaListener>(io, settings("stor-2", listen_log), acceptor.take());
	listening = listener->listen({o.address, port});
	expect(listening.ok(), listening ? "" : listening.error());
	expect(run_until(io, [&] { return acceptor.link && initiator.links == 2; }), "no second link");
	expect(initiator.link->is_open() && !initiator.lost, "the new link is not up");
	expect(dialer.failures() == 0, "failures not reset");
	expect(initiator.link->send(Flush{3, 0}).ok(), "send on the new link");
	expect(run_until(io, [&] { return acceptor.received.size() == 1; }), "nothing arrived");
	std::string refused;
	for (const auto& l : dial_log.lines)
		if (l.find("cannot connect") != std::string::npos) {
			refused = l.substr(l.find("(RDMA): ") + 8);
			break;
		}
	return "reconnected after the listener came back; while away: " + refused;
}

} // namespace

std::vector<Check> all_checks()
{
	return {
		{"handshake", check_handshake},
		{"every-message", check_messages},
		{"stream", check_stream},
		{"stream-tcp", check_stream_tcp, false},
		{"backpressure", check_backpressure},
		{"refusals", check_refusals},
		{"keepalive-idle", check_keepalive},
		{"silent-peer-lost", check_silent_peer},
		{"garbage-before-auth", check_garbage_first},
		{"garbage-after-auth", check_garbage_after_auth},
		{"wrong-secret", check_wrong_secret},
		{"close-goodbye", check_goodbye},
		{"drop-disconnects", check_drop},
		{"dialer-reconnects", check_reconnect},
	};
}

} // namespace rdmatest
