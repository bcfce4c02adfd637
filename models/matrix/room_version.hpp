// The room versions the simulator models and the rules that differ between them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dmlssim::models::matrix {

enum class RoomVersion { kV10, kV11, kV12 };

// "10", "11", "12"; nullopt for anything else.
std::optional<RoomVersion> parse_room_version(std::string_view text);
std::string to_string(RoomVersion v);

}  // namespace dmlssim::models::matrix
