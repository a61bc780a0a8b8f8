// SPDX-License-Identifier: GPL-2.0-only
// hps-logreplay's help texts.
#pragma once

#include <string>

namespace hps::logreplay {

std::string main_help();
std::string list_help();
std::string points_help();
std::string replay_help();

} // namespace hps::logreplay
