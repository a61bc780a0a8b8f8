// SPDX-License-Identifier: GPL-2.0-only
#include "replication/deferred_release.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

namespace hpsd::replication {
namespace {

struct Waiting : std::enable_shared_from_this<Waiting> {
	Waiting(const boost::asio::any_io_executor& e, std::function<bool()> r, std::function<void()> d,
		std::chrono::milliseconds i)
		: timer(e), ready(std::move(r)), release(std::move(d)), interval(i)
	{
	}

	void check()
	{
		if (ready()) {
			release();
			return;
		}
		timer.expires_after(interval);
		// The handler holds the only reference: the wait lives as long
		// as it is pending.
		timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
			if (!ec)
				self->check();
		});
	}

	boost::asio::steady_timer timer;
	std::function<bool()> ready;
	std::function<void()> release;
	std::chrono::milliseconds interval;
};

} // namespace

void release_when(const boost::asio::any_io_executor& executor, std::function<bool()> ready,
		  std::function<void()> release, std::chrono::milliseconds interval)
{
	auto waiting = std::make_shared<Waiting>(executor, std::move(ready), std::move(release), interval);
	// From the executor, never inside the caller: what is released may be
	// in use by the handler that is running now.
	boost::asio::post(executor, [waiting] { waiting->check(); });
}

} // namespace hpsd::replication
