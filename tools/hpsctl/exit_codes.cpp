// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/exit_codes.hpp"

namespace hpsctl {

ExitCode exit_code_for(hps::api::ErrorCode code) noexcept
{
	using hps::api::ErrorCode;
	switch (code) {
	case ErrorCode::not_found:
		return exit_not_found;
	case ErrorCode::illegal_state:
		return exit_illegal_state;
	case ErrorCode::invalid_params:
		return exit_bad_arguments;
	case ErrorCode::bad_request:
	case ErrorCode::too_large:
	case ErrorCode::unknown_method:
	case ErrorCode::internal:
		break;
	}
	return exit_failure;
}

} // namespace hpsctl
