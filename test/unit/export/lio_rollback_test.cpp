// SPDX-License-Identifier: GPL-2.0-only
// An LIO apply that fails at any one of its changes leaves configfs as it
// was.
#include "lio_lab.hpp"
#include "rollback_check.hpp"

#include <catch2/catch.hpp>

using namespace hpsd::exports;
using namespace hps::test;

namespace {

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

void fail_each_change(const LioState& from, const LioState& to)
{
	hps::test::fail_each_change<LioLab>(from, to, 11);
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
