// SPDX-License-Identifier: GPL-2.0-only
#include "replication/link.hpp"

namespace hpsd::replication {

std::string_view to_string(SendError::Kind kind) noexcept
{
	switch (kind) {
	case SendError::Kind::queue_full:
		return "send queue full";
	case SendError::Kind::closed:
		return "link closed";
	case SendError::Kind::invalid:
		return "invalid message";
	}
	return "send error";
}

} // namespace hpsd::replication
