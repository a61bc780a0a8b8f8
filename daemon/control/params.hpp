// SPDX-License-Identifier: GPL-2.0-only
// Checking a request's params (PROTOCOL.md): every error is
// invalid_params with one line naming the member and the value.
#pragma once

#include "api/codec.hpp"
#include "util/result.hpp"

#include <initializer_list>
#include <string>
#include <string_view>

namespace hpsd::params {

hps::Unexpected<hps::api::ApiError> invalid(std::string message);
// "member \"params.<name>\"", for messages.
std::string member(std::string_view name);
// `params` is an object with no member outside `known`: a misspelt
// "forse" must not delete anyway.
hps::Result<void, hps::api::ApiError> only_members(const hps::api::Json& params,
						   std::initializer_list<std::string_view> known);

} // namespace hpsd::params
