// SPDX-License-Identifier: GPL-2.0-only
// A Link that keeps what is sent (WRITE data copied) and lets the test
// release frames, refuse for lack of room and close, for the logic above
// the transport (PrimaryVolume, the manager).
#pragma once

#include "replication/link.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace repltest {

using namespace hpsd::replication;

class FakeLink final : public Link {
public:
	explicit FakeLink(std::string node = "stor-2", std::uint32_t max_write = 1U << 20)
	{
		peer_.node = std::move(node);
		peer_.version = 1;
		peer_.max_write_bytes = max_write;
	}

	const Peer& peer() const noexcept override { return peer_; }
	std::string name() const override { return peer_.node + " (fake)"; }
	bool is_open() const noexcept override { return open_; }
	void start(LinkHandlers handlers) override { handlers_ = std::move(handlers); }

	hps::Result<void, SendError> send(const Message& message, Release release) override
	{
		if (!open_)
			return hps::fail(SendError{SendError::Kind::closed, {}});
		if (full_)
			return hps::fail(SendError{SendError::Kind::queue_full, {}});
		Sent s{message, {}};
		if (const auto* w = std::get_if<Write>(&message)) {
			s.data.assign(w->data.begin(), w->data.end());
			std::get<Write>(s.message).data = {}; // the copy is in s.data
		}
		sent.push_back(std::move(s));
		if (release)
			releases.push_back(std::move(release));
		return {};
	}

	void close(const std::string& reason) override
	{
		open_ = false;
		closed_reason = reason;
	}

	// The transport let go of every frame so far.
	void release_all()
	{
		auto r = std::move(releases);
		releases.clear();
		for (auto& f : r)
			f();
	}
	void set_full(bool full) { full_ = full; }

	template <class T>
	std::vector<T> sent_of() const
	{
		std::vector<T> out;
		for (const auto& s : sent)
			if (const auto* m = std::get_if<T>(&s.message))
				out.push_back(*m);
		return out;
	}

	struct Sent {
		Message message;
		std::vector<std::byte> data; // a WRITE's
	};
	std::vector<Sent> sent;
	std::vector<Release> releases;
	std::string closed_reason;
	LinkHandlers handlers_;

private:
	Peer peer_;
	bool open_ = true;
	bool full_ = false;
};

} // namespace repltest
