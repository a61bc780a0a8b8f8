// SPDX-License-Identifier: GPL-2.0-only
// Tables for the pool.* and volume.* results.  Like render_status, tolerant
// of missing or mistyped fields ("?") so that an older or newer hpsd still
// prints.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace hpsctl {

std::string render_pool_list(const nlohmann::json& result);
std::string render_pool(const nlohmann::json& pool);
std::string render_volume_list(const nlohmann::json& result);
std::string render_volume(const nlohmann::json& volume);
std::string render_volume_created(const nlohmann::json& result);
std::string render_volume_deleted(const nlohmann::json& result);
std::string render_volume_flush(const nlohmann::json& result);
std::string render_volume_promoted(const nlohmann::json& result);

// "10 GiB", "1.5 GiB", "4096 B".
std::string human_size(std::uint64_t bytes);

} // namespace hpsctl
