// SPDX-License-Identifier: GPL-2.0-only
// The kernel channel's error paths on the host (no dm-hps here); attaching
// for real is the smoke-daemon lab scenario.
#include "channel/kernel_channel.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

TEST_CASE("channel: a missing device says the module is not loaded", "[channel]")
{
	auto r = hpsd::KernelChannel::attach("/nonexistent/hps-channel");
	REQUIRE_FALSE(r);
	CHECK(r.error() == "no /nonexistent/hps-channel (is the dm_hps module loaded?)");
}

TEST_CASE("channel: a file that is not the channel is refused", "[channel]")
{
	hps::test::TempDir dir;
	const auto path = dir.path() / "not-a-channel";
	std::ofstream(path) << "x";
	auto r = hpsd::KernelChannel::attach(path);
	REQUIRE_FALSE(r);
	CHECK(r.error() == path.string() + " is not a dm-hps channel");

	auto null = hpsd::KernelChannel::attach("/dev/null");
	REQUIRE_FALSE(null);
	CHECK(null.error() == "/dev/null is not a dm-hps channel");
}

TEST_CASE("channel: state remembers why it is not attached and retries", "[channel]")
{
	hps::test::TempDir dir;
	hpsd::ChannelState state(dir.path() / "hps-channel");
	CHECK_FALSE(state.ensure_attached());
	CHECK_FALSE(state.attached());
	CHECK(state.last_error().find("is the dm_hps module loaded?") != std::string::npos);
	std::ofstream(dir.path() / "hps-channel") << "x";
	CHECK_FALSE(state.ensure_attached());
	CHECK(state.last_error() == (dir.path() / "hps-channel").string() + " is not a dm-hps channel");
}
