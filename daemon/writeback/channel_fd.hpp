// SPDX-License-Identifier: GPL-2.0-only
// Finds the descriptor of /dev/hps-channel that this process (the channel
// server) holds, for the writeback ioctls.  The device allows one open, and
// the module releases the blocks hpsd took when that file is closed, so
// writeback must use the channel server's own descriptor: never a second
// open, never a dup (a dup would keep the file alive after the server
// closes it, and the server could not attach again).
//
// The channel server does not hand its descriptor out (daemon/channel/ is
// another part's), so it is looked up in /proc/self/fd, checked by device
// number, at every call.  A re-attach between the look-up and the ioctl is
// the one window left; an accessor on ChannelServer would close it.
#pragma once

#include <filesystem>
#include <optional>

namespace hpsd::writeback {

// The descriptor, or nothing while the channel is not open (module not
// loaded, server re-attaching).
std::optional<int> find_channel_fd(const std::filesystem::path& device);

} // namespace hpsd::writeback
