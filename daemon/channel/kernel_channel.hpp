// SPDX-License-Identifier: GPL-2.0-only
// The channel to the dm-hps module, /dev/hps-channel.  hpsd holds it open
// while it runs: the module knows its daemon by that, a second daemon is
// refused at open(), and a restarted hpsd attaches again to the live pools
// and volumes.  ChannelServer (channel_server.hpp) serves its requests.
#pragma once

#include "util/result.hpp"
#include "util/unique_fd.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace hpsd {

inline constexpr const char* default_channel_device = "/dev/hps-channel";

// What the module told hpsd when it attached.
struct ChannelInfo {
	unsigned kernel_abi = 0;
	unsigned nr_pools = 0;
	unsigned nr_volumes = 0;
	unsigned nr_tags = 0;	      // tags to post a FETCH for
	std::uint32_t io_bytes = 0;   // one tag's buffer
	std::uint64_t map_bytes = 0;  // the shared area, to mmap at offset 0
};

class KernelChannel {
public:
	// Opens @device and attaches with this hpsd's ABI version.  The error
	// is one line saying what is wrong (module not loaded, held by another
	// process, another ABI, not a dm-hps channel, a layout this hpsd cannot
	// use).
	static hps::Result<KernelChannel, std::string> attach(const std::filesystem::path& device);

	const ChannelInfo& info() const noexcept { return info_; }
	int fd() const noexcept { return fd_.get(); }

private:
	KernelChannel(hps::UniqueFd fd, ChannelInfo info) : fd_(std::move(fd)), info_(info) {}

	hps::UniqueFd fd_;
	ChannelInfo info_;
};

// Checks the shared area's layout the module reported: every descriptor
// before the buffers, every buffer inside the mapping.  Pure, for tests.
hps::Result<void, std::string> check_layout(const ChannelInfo& info);

// The daemon's view of the channel: attached or why not.  The module may
// be loaded after hpsd starts, so attaching is retried on demand.
class ChannelState {
public:
	explicit ChannelState(std::filesystem::path device = default_channel_device)
		: device_(std::move(device))
	{
	}

	// Attach if not attached yet; true when attached.
	bool ensure_attached();

	bool attached() const noexcept { return channel_.has_value(); }
	const std::filesystem::path& device() const noexcept { return device_; }
	const std::optional<KernelChannel>& channel() const noexcept { return channel_; }
	const std::string& last_error() const noexcept { return last_error_; }

private:
	std::filesystem::path device_;
	std::optional<KernelChannel> channel_;
	std::string last_error_;
};

} // namespace hpsd
