// SPDX-License-Identifier: GPL-2.0-only
// Path and number helpers the kernel fakes share (nvmet_kernel_fake.hpp,
// lio_kernel_fake.hpp).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hps::test {

// "a/b/c" -> {"a", "b", "c"}.
std::vector<std::string> split(const std::string& path);
// The first n parts joined with '/'.
std::string join(const std::vector<std::string>& parts, std::size_t n);
// As kstrto*(..., 0, ...) reads names: decimal, or hex after "0x".
std::optional<std::uint64_t> number(std::string_view text);
bool one_of(const std::string& value, std::initializer_list<std::string_view> names);

} // namespace hps::test
