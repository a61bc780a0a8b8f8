// SPDX-License-Identifier: GPL-2.0-only
#include "core/replicating_backend.hpp"

#include <boost/asio/post.hpp>

#include <cerrno>
#include <memory>

static_assert(hpsd::replication::result_give_back == hpsd::channel::result_requeue,
	      "replication gives requests back to the kernel as the channel requeues them");

namespace hpsd {
namespace {

// Two completions of one request (RBD's and the peer's drop): the
// request completes with the first error once both came.
class JoinSink final : public channel::CompletionSink {
public:
	JoinSink(channel::CompletionSink& sink, std::uint16_t tag) : sink_(sink), tag_(tag) {}

	void complete(std::uint16_t, int result) noexcept override
	{
		int expected = 0;
		if (result < 0)
			result_.compare_exchange_strong(expected, result);
		if (left_.fetch_sub(1) == 1) {
			sink_.complete(tag_, result_.load());
			delete_self_();
		}
	}
	void own(std::shared_ptr<JoinSink> self)
	{
		self_ = std::move(self);
	}

private:
	void delete_self_() noexcept
	{
		auto keep = std::move(self_); // freed when this call returns
	}

	channel::CompletionSink& sink_;
	std::uint16_t tag_;
	std::atomic<int> left_{2};
	std::atomic<int> result_{0};
	std::shared_ptr<JoinSink> self_;
};

bool changes_data(channel::Op op)
{
	using channel::Op;
	return op == Op::replicate || op == Op::repl_flush || op == Op::write || op == Op::discard;
}

} // namespace

void ReplicatingBackend::start(replication::Manager* manager)
{
	manager_.store(manager);
	release(Phase::running);
}

void ReplicatingBackend::start_unreplicated()
{
	release(Phase::unreplicated);
}

void ReplicatingBackend::release(Phase phase)
{
	std::vector<Waiting> waiting;
	{
		std::lock_guard lock(mutex_);
		if (phase_.load() != Phase::starting)
			return;
		phase_.store(phase);
		waiting.swap(waiting_);
	}
	for (const Waiting& w : waiting)
		route(w.req, w.data, *w.sink);
}

void ReplicatingBackend::stop()
{
	std::vector<Waiting> waiting;
	{
		std::lock_guard lock(mutex_);
		phase_.store(Phase::stopped);
		manager_.store(nullptr);
		waiting.swap(waiting_);
	}
	for (const Waiting& w : waiting)
		w.sink->complete(w.req.tag, channel::result_requeue);
}

int ReplicatingBackend::without_manager(int unreplicated) const
{
	return phase_.load() == Phase::stopped ? channel::result_requeue : unreplicated;
}

void ReplicatingBackend::set_primary(std::uint32_t volume, bool primary)
{
	std::lock_guard lock(mutex_);
	if (primary)
		primaries_.insert(volume);
	else
		primaries_.erase(volume);
}

bool ReplicatingBackend::is_primary(std::uint32_t volume) const
{
	std::lock_guard lock(mutex_);
	return primaries_.count(volume) != 0;
}

void ReplicatingBackend::submit(const channel::Request& req, std::span<std::byte> data,
				channel::CompletionSink& sink)
{
	if (changes_data(req.op)) {
		std::lock_guard lock(mutex_);
		if (phase_.load() == Phase::starting) {
			waiting_.push_back({req, data, &sink});
			return;
		}
	}
	route(req, data, sink);
}

void ReplicatingBackend::route(const channel::Request& req, std::span<std::byte> data,
			       channel::CompletionSink& sink)
{
	using channel::Op;
	const std::uint16_t tag = req.tag;
	switch (req.op) {
	case Op::replicate:
	case Op::repl_flush: {
		if (!manager_.load()) {
			sink.complete(tag, without_manager(-EIO));
			return;
		}
		auto done = [&sink, tag](int r) { sink.complete(tag, r); };
		boost::asio::post(io_, [this, req, data, done] {
			replication::Manager* m = manager_.load();
			if (!m) {
				done(without_manager(-EIO));
				return;
			}
			if (req.op == Op::replicate)
				m->replicate(req.volume_id, req.offset, data, req.fua, done);
			else
				m->flush(req.volume_id, done);
		});
		return;
	}
	case Op::write:
	case Op::discard:
		if (!is_primary(req.volume_id) || phase_.load() == Phase::unreplicated)
			break;
		if (phase_.load() == Phase::stopped) {
			sink.complete(tag, channel::result_requeue);
			return;
		}
		{
			auto join = std::make_shared<JoinSink>(sink, tag);
			join->own(join);
			JoinSink* j = join.get();
			rbd_.submit(req, data, *j);
			boost::asio::post(io_, [this, req, j] {
				replication::Manager* m = manager_.load();
				auto done = [j, tag = req.tag](int r) { j->complete(tag, r); };
				if (!m)
					done(without_manager(0));
				else
					m->drop(req.volume_id, req.offset, req.len, done);
			});
		}
		return;
	case Op::read:
	case Op::flush:
		break;
	}
	rbd_.submit(req, data, sink);
}

} // namespace hpsd
