// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/client.hpp"

#include "util/errno_text.hpp"
#include "util/json_text.hpp"
#include "util/unix_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>

namespace hpsctl {
namespace {

using Clock = std::chrono::steady_clock;

// A response is one JSON line; anything this long means hpsd is broken.
constexpr std::size_t max_response_bytes = std::size_t{64} << 20;

CallError unreachable(std::string message)
{
	return CallError{exit_unreachable, std::move(message)};
}

// Waits until `fd` is ready for `events` or the deadline passes.  Returns 0
// when ready, ETIMEDOUT, or an errno from poll().
int wait_for(int fd, short events, Clock::time_point deadline)
{
	for (;;) {
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
										   Clock::now());
		if (left.count() <= 0)
			return ETIMEDOUT;
		pollfd pfd{fd, events, 0};
		int n = ::poll(&pfd, 1, static_cast<int>(left.count()));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return errno;
	}
}

std::string duration_text(std::chrono::milliseconds ms)
{
	if (ms.count() % 1000 == 0)
		return std::to_string(ms.count() / 1000) + "s";
	return std::to_string(ms.count()) + "ms";
}

} // namespace

hps::Result<hps::api::Response, CallError> call_hpsd(const std::string& socket,
						      std::chrono::milliseconds timeout,
						      const hps::api::Request& request)
{
	const auto deadline = Clock::now() + timeout;
	const std::string at = "hpsd at " + socket;

	auto conn = hps::connect_unix(socket);
	if (!conn) {
		int err = conn.error();
		bool permission = err == EACCES || err == EPERM;
		return hps::fail(unreachable("cannot reach " + at + ": " + hps::errno_text(err) +
					     (permission ? " (are you root?)" : " (is hpsd running?)")));
	}
	int fd = conn->get();
	// Non-blocking, so that no single read or write can outlast the deadline.
	if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		return hps::fail(CallError{exit_failure, "fcntl: " + hps::errno_text(errno)});

	std::string out = hps::api::encode_request(request) + "\n";
	std::size_t sent = 0;
	while (sent < out.size()) {
		// MSG_NOSIGNAL: hpsd going away must be an error here, not SIGPIPE.
		ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
		if (n >= 0) {
			sent += static_cast<std::size_t>(n);
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return hps::fail(unreachable("cannot send to " + at + ": " + hps::errno_text(errno)));
		if (int err = wait_for(fd, POLLOUT, deadline); err == ETIMEDOUT)
			return hps::fail(unreachable(at + " did not take the request within " +
						     duration_text(timeout)));
		else if (err)
			return hps::fail(unreachable("poll: " + hps::errno_text(err)));
	}

	std::string in;
	std::array<char, 64 * 1024> chunk{};
	for (;;) {
		auto newline = in.find('\n');
		if (newline != std::string::npos) {
			in.resize(newline);
			break;
		}
		if (in.size() > max_response_bytes)
			return hps::fail(CallError{exit_failure, at + " sent a response over " +
								 std::to_string(max_response_bytes) +
								 " bytes"});
		ssize_t n = ::recv(fd, chunk.data(), chunk.size(), 0);
		if (n > 0) {
			in.append(chunk.data(), static_cast<std::size_t>(n));
			continue;
		}
		if (n == 0)
			return hps::fail(unreachable(at + " closed the connection without answering"));
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return hps::fail(unreachable("cannot read from " + at + ": " + hps::errno_text(errno)));
		if (int err = wait_for(fd, POLLIN, deadline); err == ETIMEDOUT)
			return hps::fail(unreachable(at + " did not answer within " +
						     duration_text(timeout)));
		else if (err)
			return hps::fail(unreachable("poll: " + hps::errno_text(err)));
	}

	auto response = hps::api::parse_response(in);
	if (!response)
		return hps::fail(CallError{exit_failure, at + " sent a bad response: " + response.error()});
	if (response->id != request.id)
		return hps::fail(CallError{exit_failure, at + " answered request " +
							 hps::dump_json(response->id) + " instead of " +
							 hps::dump_json(request.id)});
	return std::move(response).value();
}

} // namespace hpsctl
