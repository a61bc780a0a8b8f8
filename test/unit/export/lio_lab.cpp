// SPDX-License-Identifier: GPL-2.0-only
#include "lio_lab.hpp"

#include "nvmet_sample.hpp"

#include <filesystem>

namespace hps::test {

namespace fs = std::filesystem;
using namespace hpsd::exports;

LioState lio_sample_state()
{
	LioState state;
	state.cluster_id = sample_cluster;
	state.portals = {{"192.168.10.1", 3260}, {"fd00:20::1", 3260}};
	LioVolume one;
	one.id = 1;
	one.device_path = "/dev/mapper/hps-db1";
	one.state = AluaState::active_optimized;
	one.peer_groups = {{2, AluaState::standby}};
	one.hosts = {{iqn_a, "secret-a-123456", {}}, {iqn_b, {}, {}}};
	LioVolume two;
	two.id = 2;
	two.device_path = "/dev/mapper/hps-db2";
	two.state = AluaState::standby;
	two.hosts = {{iqn_a, {}, {}}};
	state.volumes = {one, two};
	return state;
}

LioLab::LioLab()
	: posix_(dir_.path().string()), kernel_(posix_), failer_(kernel_), counter_(failer_),
	  writer_(counter_)
{}

std::string LioLab::apply(const LioState& state)
{
	auto applied = writer_.apply(state);
	return applied.ok() ? std::string() : applied.error();
}

std::string LioLab::at(const std::string& path) const
{
	return file_at(root(), path);
}

} // namespace hps::test
