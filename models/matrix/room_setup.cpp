#include "models/matrix/room_setup.hpp"

#include <stdexcept>

namespace dmlssim::models::matrix {

std::string user_id_for(sim::NodeId server, std::uint32_t i) {
  return "@u" + std::to_string(i) + ":s" + std::to_string(server);
}

void create_room(RoomWorld& world, const RoomSetup& setup) {
  if (setup.creator_server >= setup.users_per_server.size() ||
      setup.users_per_server[setup.creator_server] == 0) {
    throw std::invalid_argument("the creator's server has no users");
  }
  if (1 + setup.admins + setup.moderators > setup.users_per_server[setup.creator_server]) {
    throw std::invalid_argument("admins and moderators must be users of the creator's server");
  }
  for (sim::NodeId s = 0; s < setup.users_per_server.size(); ++s) {
    for (std::uint32_t i = 0; i < setup.users_per_server[s]; ++i)
      world.add_user(user_id_for(s, i), s);
  }
  const RoomVersion& v = world.store().version();
  const std::string creator = user_id_for(setup.creator_server, 0);
  std::int64_t ts = 1'700'000'000'000 - 1'000'000;  // before simulated time 0
  nlohmann::json create = {{"room_version", std::string(v.id)}};
  if (!v.creator_is_create_sender) create["creator"] = creator;
  EventIndex tip = world.build_and_store({}, creator, "m.room.create", "", create, ts++);
  tip = world.build_and_store({tip}, creator, "m.room.member", creator, {{"membership", "join"}},
                              ts++);
  nlohmann::json users = nlohmann::json::object();
  if (!v.creators_infinite) users[creator] = 100;
  for (std::uint32_t i = 1; i <= setup.admins + setup.moderators; ++i) {
    users[user_id_for(setup.creator_server, i)] = i <= setup.admins ? 100 : 50;
  }
  tip = world.build_and_store({tip}, creator, "m.room.power_levels", "", {{"users", users}}, ts++);
  tip = world.build_and_store({tip}, creator, "m.room.join_rules", "",
                              {{"join_rule", setup.join_rule}}, ts++);
  for (const RoomUser& u : world.users()) {
    if (u.user_id == creator) continue;
    if (setup.join_rule != "public") {
      tip = world.build_and_store({tip}, creator, "m.room.member", u.user_id,
                                  {{"membership", "invite"}}, ts++);
    }
    tip = world.build_and_store({tip}, u.user_id, "m.room.member", u.user_id,
                                {{"membership", "join"}}, ts++);
  }
}

}  // namespace dmlssim::models::matrix
