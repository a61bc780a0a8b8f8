// SPDX-License-Identifier: GPL-2.0-only
// The LIO tests' bench: a temp dir as configfs root seen through the LIO
// kernel fake, a failure injector and a change counter, the writer on top;
// and a sample state to start from.
#pragma once

#include "fs_decorators.hpp"
#include "lio_kernel_fake.hpp"
#include "tree_snapshot.hpp"

#include "export/lio_writer.hpp"
#include "support/temp_dir.hpp"

#include <map>
#include <string>

namespace hps::test {

inline constexpr const char* iqn_a = "iqn.1993-08.org.debian:01:aaaa";
inline constexpr const char* iqn_b = "iqn.1993-08.org.debian:01:bbbb";
inline constexpr const char* iqn_c = "iqn.1993-08.org.debian:01:cccc";

// Two volumes on two portals (IPv4 and IPv6), tag 1, HBA 8400: volume 1
// active here with hosts a (CHAP) and b, peer tag 2 standby; volume 2
// standby here with host a.
hpsd::exports::LioState lio_sample_state();

class LioLab {
public:
	LioLab();

	const std::filesystem::path& root() const { return dir_.path(); }
	std::map<std::string, std::string> snapshot() const { return test::snapshot(root()); }
	// The file's text, or "link <target>", or "" when there is nothing.
	std::string at(const std::string& path) const;

	// Applies `state`: "" when it worked, else the error (so that a
	// REQUIRE(lab.apply(s) == "") shows it).
	std::string apply(const hpsd::exports::LioState& state);

	Configfs& below() { return kernel_; }
	CountingConfigfs& counter() { return counter_; }
	FailingConfigfs& failer() { return failer_; }
	hpsd::exports::LioWriter& writer() { return writer_; }

private:
	TempDir dir_;
	hpsd::exports::PosixConfigfs posix_;
	KernelLioConfigfs kernel_;
	FailingConfigfs failer_;
	CountingConfigfs counter_;
	hpsd::exports::LioWriter writer_;
};

} // namespace hps::test
