#include "models/matrix/room_version.hpp"

#include <array>

namespace dmlssim::models::matrix {
namespace {

// Room version N as a sum of the flags introduced up to N (spec: rooms/vN "based on vN-1 with").
RoomVersion numbered(std::string_view id, int n) {
  RoomVersion v;
  v.id = id;
  v.special_redaction = n <= 2;
  v.special_aliases = n <= 5;
  v.notifications_in_power = n >= 6;
  v.knocking = n >= 7;
  v.restricted_join = n >= 8;
  v.knock_restricted = n >= 10;
  v.integer_power_levels = n >= 10;
  v.create_needs_creator = n <= 10;
  v.creator_is_create_sender = n >= 11;
  v.creators_infinite = n >= 12;
  v.create_implicit_in_auth = n >= 12;
  v.state_res = n >= 12 ? StateResAlgorithm::kV2_1 : StateResAlgorithm::kV2;
  v.redaction = n >= 11   ? RedactionRules::kV11
                : n == 10 ? RedactionRules::kV10
                          : RedactionRules::kNone;
  return v;
}

const std::array<RoomVersion, 12>& all_versions() {
  static const std::array<RoomVersion, 12> versions = {
      numbered("2", 2), numbered("3", 3), numbered("4", 4), numbered("5", 5), numbered("6", 6),
      numbered("7", 7), numbered("8", 8), numbered("9", 9), numbered("10", 10), numbered("11", 11),
      numbered("12", 12),
      // Synapse's unstable precursor of v12: the same auth rules and state resolution v2.1.
      numbered("org.matrix.hydra.11", 12)};
  return versions;
}

}  // namespace

const RoomVersion* find_room_version(std::string_view id) {
  for (const RoomVersion& v : all_versions()) {
    if (v.id == id) return &v;
  }
  return nullptr;
}

const RoomVersion& room_v10() {
  return *find_room_version("10");
}
const RoomVersion& room_v11() {
  return *find_room_version("11");
}
const RoomVersion& room_v12() {
  return *find_room_version("12");
}

}  // namespace dmlssim::models::matrix
