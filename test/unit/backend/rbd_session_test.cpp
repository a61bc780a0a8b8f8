// SPDX-License-Identifier: GPL-2.0-only
// The RBD session without a Ceph: what its users see when it cannot
// connect (here: no config file, which librados finds out without any
// network).  Its calls on real images are checked in the lab.
#include "backend/rbd_session.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <string>
#include <vector>

using hpsd::LogLevel;
using hpsd::backend::RbdSession;
using hpsd::backend::RbdShares;

namespace {

struct Lines {
	std::vector<std::string> errors;
	RbdSession::Log log()
	{
		return [this](LogLevel level, std::string_view line) {
			if (level == LogLevel::error)
				errors.emplace_back(line);
		};
	}
};

hpsd::CephConfig unreadable(const hps::test::TempDir& dir)
{
	return {dir / "no-ceph.conf", "rbd", "admin"};
}

} // namespace

TEST_CASE("rbd session: no connection, every call fails with the reason, logged once",
	  "[backend][rbd]")
{
	hps::test::TempDir dir;
	Lines lines;
	RbdSession session(unreadable(dir), {}, lines.log());

	auto opened = session.open("img");
	REQUIRE_FALSE(opened);
	CHECK(opened.error().code == -ENOENT);
	CHECK(opened.error().message.find("cannot read the config") != std::string::npos);
	CHECK(opened.error().message.find(dir / "no-ceph.conf") != std::string::npos);

	// Retried by every call (a later one may connect), said once.
	CHECK_FALSE(session.open("img"));
	CHECK_FALSE(session.size_of("img"));
	CHECK_FALSE(session.create("img", 1 << 20));
	auto removed = session.remove("img");
	REQUIRE_FALSE(removed);
	CHECK(removed.error().code == -ENOENT);
	CHECK(lines.errors.size() == 1);
	CHECK(session.describe("img") == "rbd/img");
}

TEST_CASE("rbd shares: a failed open or an image-less key starts nothing", "[backend][rbd]")
{
	hps::test::TempDir dir;
	Lines lines;
	RbdSession session(unreadable(dir), {}, lines.log());
	RbdShares<int> shares(session);
	int started = 0;
	const auto start = [&](const hpsd::backend::RbdImage&) { ++started; };

	CHECK(shares.start(1, [] { return hps::Result<std::string, int>(hps::fail(-ENXIO)); },
			   start) == -ENXIO);
	CHECK(lines.errors.empty()); // no open was tried
	CHECK(shares.start(2, [] { return hps::Result<std::string, int>("img"); }, start) ==
	      -ENOENT);
	CHECK(started == 0);
	shares.release(2); // nothing held: nothing to do
}
