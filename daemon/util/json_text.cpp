// SPDX-License-Identifier: GPL-2.0-only
#include "util/json_text.hpp"

namespace hps {
namespace {
constexpr std::size_t max_described_chars = 64;
// nlohmann quotes the token it choked on ("last read: '...'"), which can be
// most of a megabyte-long line.
constexpr std::size_t max_parse_error_chars = 200;
} // namespace

std::string dump_json(const nlohmann::json& value)
{
	return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string describe_value(const nlohmann::json& value)
{
	if (value.is_array())
		return "an array";
	if (value.is_object())
		return "an object";
	std::string text = dump_json(value);
	if (text.size() > max_described_chars) {
		text.resize(max_described_chars);
		text += "...";
	}
	return text;
}

std::string json_error_text(const nlohmann::json::exception& e)
{
	std::string message = e.what();
	if (message.starts_with('[')) {
		auto end = message.find("] ");
		if (end != std::string::npos)
			message.erase(0, end + 2);
	}
	if (message.size() > max_parse_error_chars) {
		message.resize(max_parse_error_chars);
		message += "...";
	}
	return message;
}

} // namespace hps
