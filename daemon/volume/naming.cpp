// SPDX-License-Identifier: GPL-2.0-only
#include "volume/naming.hpp"

#include <cctype>
#include <charconv>

namespace hps::volume {

hps::Result<void, std::string> check_volume_name(std::string_view name)
{
	const std::string quoted = "\"" + std::string(name.substr(0, 80)) +
				   (name.size() > 80 ? "...\"" : "\"");
	if (name.empty() || name.size() > max_name_chars)
		return fail("name " + quoted + " must be 1.." + std::to_string(max_name_chars) +
			    " characters long");
	for (char c : name) {
		const auto u = static_cast<unsigned char>(c);
		if (!std::isalnum(u) || u > 127) {
			if (c != '.' && c != '_' && c != '-')
				return fail("name " + quoted +
					    " may only contain letters, digits, '.', '_' and '-'");
		}
	}
	if (name == "." || name == "..")
		return fail("name " + quoted + " is not allowed");
	if (name.starts_with("pool-"))
		return fail("name " + quoted +
			    " may not start with \"pool-\" (hps-pool-* are the pools' devices)");
	return {};
}

namespace {

// Why `bytes` is not a volume size, or empty.
std::string size_problem(std::uint64_t bytes)
{
	if (bytes == 0)
		return "must not be 0";
	if (bytes % size_granularity != 0)
		return "is not a multiple of 4096 bytes";
	if (bytes > max_size_bytes)
		return "is larger than the maximum, 65535 GiB";
	return {};
}

} // namespace

hps::Result<void, std::string> check_size(std::uint64_t bytes)
{
	if (auto problem = size_problem(bytes); !problem.empty())
		return fail("size " + std::to_string(bytes) + " " + problem);
	return {};
}

hps::Result<std::uint64_t, std::string> parse_size(std::string_view text)
{
	const std::string quoted = "\"" + std::string(text.substr(0, 40)) + "\"";
	std::uint64_t number = 0;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
	if (end == text.data())
		return fail("size " + quoted +
			    " is not a size: use bytes or a number with K, M, G or T (e.g. 10G)");
	if (ec == std::errc::result_out_of_range)
		return fail("size " + quoted + " is too large");
	std::string unit(end, text.data() + text.size());
	for (auto& c : unit)
		c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	if (unit.ends_with("IB"))
		unit.resize(unit.size() - 2);
	else if (unit.size() == 2 && unit.ends_with('B'))
		unit.resize(1);
	else if (unit == "B")
		unit.clear();
	unsigned shift = 0;
	if (unit.empty())
		shift = 0;
	else if (unit == "K")
		shift = 10;
	else if (unit == "M")
		shift = 20;
	else if (unit == "G")
		shift = 30;
	else if (unit == "T")
		shift = 40;
	else
		return fail("size " + quoted + " has an unknown unit; use K, M, G or T (powers of 1024)");
	if (shift > 0 && number > (~std::uint64_t{0} >> shift))
		return fail("size " + quoted + " is too large");
	const std::uint64_t bytes = number << shift;
	if (auto problem = size_problem(bytes); !problem.empty())
		return fail("size " + quoted + " " + problem);
	return bytes;
}

std::string format_size(std::uint64_t bytes)
{
	constexpr const char* units[] = {"TiB", "GiB", "MiB", "KiB"};
	constexpr unsigned shifts[] = {40, 30, 20, 10};
	for (std::size_t i = 0; i < 4; ++i) {
		const std::uint64_t unit = std::uint64_t{1} << shifts[i];
		if (bytes >= unit && bytes % unit == 0)
			return std::to_string(bytes >> shifts[i]) + " " + units[i];
	}
	return std::to_string(bytes) + " B";
}

std::string volume_device_name(std::string_view name)
{
	return "hps-" + std::string(name);
}

std::string volume_device_path(std::string_view name)
{
	return "/dev/mapper/" + volume_device_name(name);
}

} // namespace hps::volume
