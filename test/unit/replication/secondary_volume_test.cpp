// SPDX-License-Identifier: GPL-2.0-only
// SecondaryVolume's answer to ATTACH: the copy is brought up through the
// service, and said `kept` only when it was in sync as the same primary's
// last link ended and its device commits now.
#include "fake_link.hpp"
#include "replication/secondary_volume.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>

using namespace repltest;

namespace {

struct Harness {
	boost::asio::io_context io;
	std::shared_ptr<FakeLink> link = std::make_shared<FakeLink>("stor-1");
	std::filesystem::path device;
	std::string asked_by;

	Harness()
	{
		device = std::filesystem::temp_directory_path() /
			 ("hps-secondary-test-" + std::to_string(::getpid()));
		std::ofstream(device) << "copy";
	}
	~Harness() { std::filesystem::remove(device); }

	// ATTACH from stor-1 to a SecondaryVolume made with `was_in_sync`;
	// the ensure hook answers `device` (or `refuse` as an errno).
	AttachAck attach(bool was_in_sync, int refuse = 0)
	{
		SecondaryVolume v(io, link, {}, ApplierOptions{}, {}, was_in_sync);
		EnsureSecondary ensure = [&](const Attach&, const std::string& peer)
			-> hps::Result<std::filesystem::path, int> {
			asked_by = peer;
			if (refuse != 0)
				return hps::fail(refuse);
			return device;
		};
		REQUIRE(v.on_message(Attach{7, 64 << 20, 4096, "db1", "db1"}, ensure));
		auto acks = link->sent_of<AttachAck>();
		REQUIRE(acks.size() == 1);
		link->sent.clear();
		return acks[0];
	}
};

} // namespace

TEST_CASE("secondary volume: a copy in sync at the last link is kept", "[replication][secondary]")
{
	Harness h;
	const AttachAck ack = h.attach(true);
	CHECK(h.asked_by == "stor-1");
	CHECK(ack.status == 0);
	CHECK(ack.kept);
}

TEST_CASE("secondary volume: a copy not in sync then is not kept", "[replication][secondary]")
{
	Harness h;
	const AttachAck ack = h.attach(false);
	CHECK(ack.status == 0);
	CHECK_FALSE(ack.kept);
}

TEST_CASE("secondary volume: a copy that cannot commit is not kept", "[replication][secondary]")
{
	Harness h;
	std::filesystem::remove(h.device);
	const AttachAck ack = h.attach(true);
	CHECK(ack.status == 0);
	CHECK_FALSE(ack.kept);
}

TEST_CASE("secondary volume: a refused copy says why and is not kept", "[replication][secondary]")
{
	Harness h;
	const AttachAck ack = h.attach(true, ENOSPC);
	CHECK(ack.status == ENOSPC);
	CHECK_FALSE(ack.kept);
}
