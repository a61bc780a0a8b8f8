// SPDX-License-Identifier: GPL-2.0-only
#include "channel/kernel_channel.hpp"

#include "util/errno_text.hpp"

#include <linux/dm-hps.h>

#include <fcntl.h>
#include <sys/ioctl.h>

#include <cerrno>

namespace hpsd {

hps::Result<KernelChannel, std::string> KernelChannel::attach(const std::filesystem::path& device)
{
	const std::string name = device.string();
	hps::UniqueFd fd(::open(name.c_str(), O_RDWR | O_CLOEXEC));
	if (!fd.valid()) {
		const int err = errno;
		switch (err) {
		case ENOENT:
			return hps::fail("no " + name + " (is the dm_hps module loaded?)");
		case EBUSY:
			return hps::fail(name + " is held by another process (another hpsd?)");
		default:
			return hps::fail("cannot open " + name + ": " + hps::errno_text(err));
		}
	}

	hps_attach request{};
	request.abi_version = HPS_ABI_VERSION;
	if (::ioctl(fd.get(), HPS_IOC_ATTACH, &request) != 0) {
		const int err = errno;
		if (err == EPROTO)
			return hps::fail("dm_hps speaks abi " + std::to_string(request.kernel_abi) +
					 ", this hpsd abi " + std::to_string(HPS_ABI_VERSION) +
					 ": not attaching");
		if (err == ENOTTY)
			return hps::fail(name + " is not a dm-hps channel");
		return hps::fail("attaching to " + name + " failed: " + hps::errno_text(err));
	}
	ChannelInfo info{request.kernel_abi, request.nr_pools,  request.nr_volumes,
			 request.nr_tags,    request.io_bytes,  request.map_bytes};
	if (auto layout = check_layout(info); !layout)
		return hps::fail(name + ": " + layout.error());
	return KernelChannel(std::move(fd), info);
}

hps::Result<void, std::string> check_layout(const ChannelInfo& info)
{
	const auto describe = [&] {
		return std::to_string(info.nr_tags) + " tags of " + std::to_string(info.io_bytes) +
		       " bytes in " + std::to_string(info.map_bytes) + " bytes";
	};
	// A tag is a 16-bit field of the descriptor and of the uring command.
	if (info.nr_tags == 0 || info.nr_tags > 65535 || info.io_bytes == 0)
		return hps::fail("unusable channel layout: " + describe());
	const std::uint64_t descs = HPS_CHAN_DESC_OFFSET +
				    std::uint64_t{info.nr_tags} * sizeof(hps_io_desc);
	const std::uint64_t buffers = HPS_CHAN_BUF_OFFSET +
				      std::uint64_t{info.nr_tags} * info.io_bytes;
	if (descs > HPS_CHAN_BUF_OFFSET || buffers > info.map_bytes)
		return hps::fail("unusable channel layout: " + describe());
	return {};
}

bool ChannelState::ensure_attached()
{
	if (channel_)
		return true;
	auto attached = KernelChannel::attach(device_);
	if (!attached) {
		last_error_ = attached.error();
		return false;
	}
	channel_.emplace(std::move(attached).value());
	last_error_.clear();
	return true;
}

} // namespace hpsd
