// SPDX-License-Identifier: GPL-2.0-only
#include "hpsctl/exit_codes.hpp"

#include <catch2/catch.hpp>

using hps::api::ErrorCode;
using namespace hpsctl;

TEST_CASE("hpsctl exit codes: the documented numbers", "[hpsctl]")
{
	CHECK(exit_ok == 0);
	CHECK(exit_failure == 1);
	CHECK(exit_bad_arguments == 2);
	CHECK(exit_not_found == 3);
	CHECK(exit_illegal_state == 5);
	CHECK(exit_unreachable == 11);
}

TEST_CASE("hpsctl exit codes: hpsd's error codes map onto them", "[hpsctl]")
{
	CHECK(exit_code_for(ErrorCode::not_found) == exit_not_found);
	CHECK(exit_code_for(ErrorCode::illegal_state) == exit_illegal_state);
	CHECK(exit_code_for(ErrorCode::invalid_params) == exit_bad_arguments);
	CHECK(exit_code_for(ErrorCode::bad_request) == exit_failure);
	CHECK(exit_code_for(ErrorCode::too_large) == exit_failure);
	CHECK(exit_code_for(ErrorCode::unknown_method) == exit_failure);
	CHECK(exit_code_for(ErrorCode::internal) == exit_failure);
}
