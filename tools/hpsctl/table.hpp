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

} // namespace hpsctl
