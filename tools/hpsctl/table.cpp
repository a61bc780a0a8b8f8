// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/table.hpp"

#include <algorithm>

namespace hpsctl {

std::string KeyValueTable::str() const
{
	std::size_t width = 0;
	for (const auto& row : rows_)
		width = std::max(width, row.first.size());
	std::string text;
	for (const auto& [key, value] : rows_)
		text += key + std::string(width - key.size() + 2, ' ') + value + "\n";
	return text;
}

} // namespace hpsctl
