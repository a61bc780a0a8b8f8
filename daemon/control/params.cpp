// SPDX-License-Identifier: GPL-2.0-only
#include "control/params.hpp"

#include "util/json_text.hpp"

#include <algorithm>

namespace hpsd::params {

using hps::api::ApiError;
using hps::api::ErrorCode;
using hps::api::Json;

hps::Unexpected<ApiError> invalid(std::string message)
{
	return hps::fail(ApiError{ErrorCode::invalid_params, std::move(message)});
}

std::string member(std::string_view name)
{
	return "member \"params." + std::string(name) + "\"";
}

hps::Result<void, ApiError> only_members(const Json& params,
					 std::initializer_list<std::string_view> known)
{
	if (!params.is_object())
		return invalid("member \"params\": " + hps::describe_value(params) +
			       " is not an object");
	for (const auto& [key, value] : params.items()) {
		(void)value;
		if (std::find(known.begin(), known.end(), key) == known.end())
			return invalid("member \"params\": unknown parameter " +
				       hps::describe_value(key));
	}
	return {};
}

} // namespace hpsd::params
