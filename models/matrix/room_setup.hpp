// The room a simulation starts from, built before time 0 and replicated to every server: the
// creator's create, join, power levels and join rules, then every user's join.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/matrix/room_world.hpp"

namespace dmlssim::models::matrix {

struct RoomSetup {
  std::vector<std::uint32_t> users_per_server;  // index = server
  std::string join_rule = "public";
  // Power levels of the first users of the creator's server: [0] is the creator (level 100, or a
  // creator in v12), the next `admins` get 100, the next `moderators` get 50. These defaults are
  // the scenarios' (room.admins, room.moderators).
  std::uint32_t admins = 0;
  std::uint32_t moderators = 1;
  sim::NodeId creator_server = 0;
};

// "@u<i>:s<server>", i counting users of that server from 0.
std::string user_id_for(sim::NodeId server, std::uint32_t i);

// Registers the users and stores the initial events; returns the user indices per power level
// (creator first). Throws std::invalid_argument if the creator's server has no users.
void create_room(RoomWorld& world, const RoomSetup& setup);

}  // namespace dmlssim::models::matrix
