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

std::string ColumnTable::str() const
{
	std::vector<std::size_t> widths;
	for (const auto& row : rows_) {
		if (widths.size() < row.size())
			widths.resize(row.size(), 0);
		for (std::size_t i = 0; i < row.size(); ++i)
			widths[i] = std::max(widths[i], row[i].size());
	}
	std::string text;
	for (const auto& row : rows_) {
		std::string line;
		for (std::size_t i = 0; i < row.size(); ++i) {
			line += row[i];
			if (i + 1 < row.size())
				line += std::string(widths[i] - row[i].size() + 2, ' ');
		}
		text += line + "\n";
	}
	return text;
}

} // namespace hpsctl
