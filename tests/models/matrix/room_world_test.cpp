// RoomWorld's users: where each one lives.
#include <catch2/catch.hpp>
#include <string>

#include "models/matrix/room_world.hpp"

namespace mx = dmlssim::models::matrix;

TEST_CASE("a room's users: server_of names each user's server, none for a stranger",
          "[matrix][world]") {
  mx::RoomWorld world(mx::room_v12(), "!r:s0");
  for (int s = 0; s < 3; ++s) {
    for (int u = 0; u < 40; ++u)
      world.add_user("@u" + std::to_string(u) + ":s" + std::to_string(s),
                     static_cast<dmlssim::sim::NodeId>(s));
  }
  CHECK(world.server_of("@u0:s0") == dmlssim::sim::NodeId{0});
  CHECK(world.server_of("@u39:s2") == dmlssim::sim::NodeId{2});
  CHECK(world.server_of("@u17:s1") == dmlssim::sim::NodeId{1});
  CHECK_FALSE(world.server_of("@u40:s1").has_value());
  CHECK_FALSE(world.server_of("@u1:s").has_value());
}
