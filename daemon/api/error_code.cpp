// SPDX-License-Identifier: GPL-2.0-only
#include "api/error_code.hpp"

#include <array>
#include <utility>

namespace hps::api {
namespace {

constexpr std::array<std::pair<ErrorCode, std::string_view>, 7> names{{
	{ErrorCode::bad_request, "bad_request"},
	{ErrorCode::too_large, "too_large"},
	{ErrorCode::unknown_method, "unknown_method"},
	{ErrorCode::invalid_params, "invalid_params"},
	{ErrorCode::not_found, "not_found"},
	{ErrorCode::illegal_state, "illegal_state"},
	{ErrorCode::internal, "internal"},
}};

} // namespace

std::string_view to_string(ErrorCode code) noexcept
{
	for (const auto& [c, name] : names)
		if (c == code)
			return name;
	return "internal";
}

std::optional<ErrorCode> error_code_from_string(std::string_view text) noexcept
{
	for (const auto& [c, name] : names)
		if (name == text)
			return c;
	return std::nullopt;
}

} // namespace hps::api
