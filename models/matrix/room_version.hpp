// The room versions the simulator understands and the rules that differ between them.
//
// Rooms the simulator creates use versions 10, 11 or 12. Versions 2-9 and Synapse's unstable
// "org.matrix.hydra.11" (the precursor of 12) are understood by the authorization rules and state
// resolution so that published test cases written for them can be checked; the simulator cannot
// compute event IDs for them (their redaction rules are not modelled).
#pragma once

#include <string_view>

namespace dmlssim::models::matrix {

enum class StateResAlgorithm { kV2, kV2_1 };

// Which redaction algorithm computes reference hashes: rooms/v10 (the keys of v9) or rooms/v11
// (kept by v12). kNone: not modelled, event IDs cannot be computed.
enum class RedactionRules { kNone, kV10, kV11 };

struct RoomVersion {
  std::string_view id;
  StateResAlgorithm state_res = StateResAlgorithm::kV2;
  RedactionRules redaction = RedactionRules::kNone;
  bool special_redaction = false;         // v1-v2: m.room.redaction has its own auth rule
  bool special_aliases = false;           // v1-v5: m.room.aliases has its own auth rule
  bool notifications_in_power = false;    // v6+: `notifications` checked on power-level changes
  bool knocking = false;                  // v7+: membership `knock`, join rule `knock`
  bool restricted_join = false;           // v8+: join rule `restricted`
  bool knock_restricted = false;          // v10+: join rule `knock_restricted`
  bool integer_power_levels = false;      // v10+: power levels must be JSON integers
  bool create_needs_creator = false;      // v1-v10: m.room.create content must have `creator`
  bool creator_is_create_sender = false;  // v11+: the creator is the create event's sender
  bool creators_infinite = false;         // v12 (MSC4289): creators outrank every level
  bool create_implicit_in_auth = false;   // v12 (MSC4291): room ID = create hash, never listed
};

// nullptr for an unknown or unsupported identifier (v1: state resolution v1 is not modelled).
const RoomVersion* find_room_version(std::string_view id);

// The versions a scenario may create rooms in.
const RoomVersion& room_v10();
const RoomVersion& room_v11();
const RoomVersion& room_v12();

}  // namespace dmlssim::models::matrix
