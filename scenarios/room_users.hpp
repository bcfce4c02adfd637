// Naming the room's users and devices in a scenario: "@u<i>:s<n>" (user i of server n) and
// "@u<i>:s<n>/D<k>" (its device k), resolved against the room's users per server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "models/matrix/room_setup.hpp"

namespace dmlssim::scenarios {

// The user's index in the room's users (server-major, as the room registers them), or nullopt
// when the text is not a user ID of the room.
std::optional<std::size_t> room_user_index(const std::string& id,
                                           const models::matrix::RoomSetup& room);

// (user index, k) of a device name, or nullopt; k is not bounded here.
std::optional<std::pair<std::size_t, std::uint32_t>> room_device(
    const std::string& name, const models::matrix::RoomSetup& room);

}  // namespace dmlssim::scenarios
