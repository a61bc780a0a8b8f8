// SPDX-License-Identifier: GPL-2.0-only
// An LIO apply that fails at any one of its changes leaves configfs as it
// was.
#include "lio_lab.hpp"

#include <catch2/catch.hpp>

using namespace hpsd::exports;
using namespace hps::test;

namespace {

void require_applied(LioLab& lab, const LioState& state)
{
	auto applied = lab.writer().apply(state);
	INFO((applied.ok() ? std::string() : applied.error()));
	REQUIRE(applied.ok());
}

// Everything at once but a device change (a backstore LIO cannot disable
// is rebuilt, which is tested apart): a volume goes, one comes, one
// changes hosts, CHAP, ALUA states; a portal goes, one comes.
LioState changed_state()
{
	auto state = lio_sample_state();
	state.volumes.erase(state.volumes.begin() + 1);
	state.volumes[0].hosts = {{iqn_c, "secret-c-123456", {}}, {iqn_b, {}, {}}};
	state.volumes[0].state = AluaState::standby;
	state.volumes[0].peer_groups = {{3, AluaState::active_optimized}};
	LioVolume three;
	three.id = 3;
	three.device_path = "/dev/mapper/hps-db3";
	three.hosts = {{iqn_a, {}, {}}};
	state.volumes.push_back(three);
	state.portals.erase(state.portals.begin());
	state.portals.push_back({"192.168.30.1", 3261});
	return state;
}

LioState empty_state()
{
	auto state = lio_sample_state();
	state.volumes.clear();
	return state;
}

std::size_t changes_from_to(const LioState& from, const LioState& to)
{
	LioLab lab;
	require_applied(lab, from);
	auto changes = lab.writer().apply(to);
	REQUIRE(changes.ok());
	return *changes;
}

void fail_each_change(const LioState& from, const LioState& to)
{
	const std::size_t total = changes_from_to(from, to);
	REQUIRE(total > 10);
	for (std::size_t n = 0; n < total; n++) {
		LioLab lab;
		require_applied(lab, from);
		const auto before = lab.snapshot();
		lab.counter().clear();
		lab.failer().fail_at(n);
		auto failed = lab.writer().apply(to);
		INFO("change " << n << " of " << total << ": "
			       << (n < lab.counter().log().size() ? lab.counter().log()[n] : "?"));
		REQUIRE_FALSE(failed.ok());
		INFO(failed.error());
		CHECK(failed.error().find(
			      "Input/output error; the changes before it were undone") !=
		      std::string::npos);
		CHECK(lab.snapshot() == before);

		lab.failer().fail_at(std::nullopt);
		CHECK(lab.writer().apply(to).ok());
		lab.counter().clear();
		CHECK(lab.writer().apply(to).ok());
		CHECK(lab.counter().changes() == 0);
	}
}

} // namespace

TEST_CASE("lio writer: a failure at any change of an apply is undone (building up)")
{
	fail_each_change(empty_state(), lio_sample_state());
}

TEST_CASE("lio writer: a failure at any change of an apply is undone (changing)")
{
	fail_each_change(lio_sample_state(), changed_state());
}

TEST_CASE("lio writer: a failure at any change of an apply is undone (changing back)")
{
	fail_each_change(changed_state(), lio_sample_state());
}

TEST_CASE("lio writer: a failure at any change of an apply is undone (tearing down)")
{
	fail_each_change(lio_sample_state(), empty_state());
}
