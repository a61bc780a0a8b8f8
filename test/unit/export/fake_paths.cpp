// SPDX-License-Identifier: GPL-2.0-only
#include "fake_paths.hpp"

#include <algorithm>
#include <charconv>

namespace hps::test {

std::vector<std::string> split(const std::string& path)
{
	std::vector<std::string> parts;
	std::size_t start = 0;
	while (start <= path.size()) {
		const std::size_t end = std::min(path.find('/', start), path.size());
		parts.push_back(path.substr(start, end - start));
		start = end + 1;
	}
	return parts;
}

std::string join(const std::vector<std::string>& parts, std::size_t n)
{
	std::string path;
	for (std::size_t i = 0; i < n; i++)
		path += (i ? "/" : "") + parts[i];
	return path;
}

std::optional<std::uint64_t> number(std::string_view text)
{
	int base = 10;
	if (text.starts_with("0x")) {
		text.remove_prefix(2);
		base = 16;
	}
	std::uint64_t n = 0;
	const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n, base);
	if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
		return std::nullopt;
	return n;
}

bool one_of(const std::string& value, std::initializer_list<std::string_view> names)
{
	for (auto name : names)
		if (value == name)
			return true;
	return false;
}

} // namespace hps::test
