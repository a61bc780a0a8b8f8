// SPDX-License-Identifier: GPL-2.0-only
#include "backend/rbd_writer.hpp"

namespace hpsd::backend {

void RbdWriter::write(const std::string& image, std::uint64_t offset,
		      std::span<const std::byte> data, writeback::IoCallback done)
{
	const int r = images_.start(
		image, [&]() -> hps::Result<std::string, int> { return image; },
		[&](const RbdImage& share) { share.write(offset, data, false, std::move(done)); });
	if (r < 0)
		done(r);
}

void RbdWriter::flush(const std::string& image, writeback::IoCallback done)
{
	const int r = images_.start(
		image, [&]() -> hps::Result<std::string, int> { return image; },
		[&](const RbdImage& share) { share.flush(std::move(done)); });
	if (r < 0)
		done(r);
}

} // namespace hpsd::backend
