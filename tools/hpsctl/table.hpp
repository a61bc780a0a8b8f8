// SPDX-License-Identifier: GPL-2.0-only
// A two-column key/value table for people: keys padded to one width.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hpsctl {

class KeyValueTable {
public:
	void add(std::string key, std::string value)
	{
		rows_.emplace_back(std::move(key), std::move(value));
	}
	std::string str() const;

private:
	std::vector<std::pair<std::string, std::string>> rows_;
};

// Columns for lists: a header row, then rows, each column padded to its
// widest cell.
class ColumnTable {
public:
	explicit ColumnTable(std::vector<std::string> header) : rows_{std::move(header)} {}
	void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
	std::string str() const;

private:
	std::vector<std::vector<std::string>> rows_;
};

} // namespace hpsctl
