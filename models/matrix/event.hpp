// A room event as the simulator stores it: the federation fields plus what the auth rules and
// state resolution read, extracted once when the event is stored. Events are immutable and live in
// an EventStore; everything else refers to them by EventIndex.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/matrix/power_levels.hpp"

namespace dmlssim::models::matrix {

// Position of an event in its EventStore. Stores insert parents first, so ascending indices are a
// topological order of both prev_events and auth_events edges.
using EventIndex = std::uint32_t;
inline constexpr EventIndex kNoEvent = std::numeric_limits<EventIndex>::max();

// An interned (type, state_key) pair, dense per EventStore.
using StateKeyId = std::uint32_t;
inline constexpr StateKeyId kNoStateKey = std::numeric_limits<StateKeyId>::max();

// The event types the authorization rules single out, by `type` alone (the rules test the type,
// whatever the state_key).
enum class EventKind : std::uint8_t {
  kCreate,
  kMember,
  kPowerLevels,
  kJoinRules,
  kThirdPartyInvite,
  kAliases,
  kRedaction,
  kOther
};

EventKind event_kind(std::string_view type);

enum class Membership : std::uint8_t { kNone, kJoin, kInvite, kLeave, kBan, kKnock, kUnknown };

// kInvite also stands for a join-rules event without `join_rule` (Synapse reads a missing value as
// "invite") and for no join-rules event at all.
enum class JoinRule : std::uint8_t {
  kPublic,
  kInvite,
  kKnock,
  kRestricted,
  kKnockRestricted,
  kOther
};

struct Event {
  std::string event_id;
  std::string type;
  std::optional<std::string> state_key;  // nullopt for message events
  std::string sender;
  nlohmann::json content;
  std::int64_t origin_server_ts = 0;  // milliseconds
  std::int64_t depth = 0;
  std::vector<EventIndex> prev_events;
  // The listed auth events, then (v12, every event but the create) the implicit create event.
  std::vector<EventIndex> auth_events;
  bool create_is_implicit = false;  // auth_events.back() is the implicit create event
  // Rejected on receipt for failing its own auth chain: never used as an auth event.
  bool rejected = false;

  // --- derived when stored ---
  EventKind kind = EventKind::kOther;
  StateKeyId key = kNoStateKey;                // (type, state_key); kNoStateKey for messages
  StateKeyId sender_member_key = kNoStateKey;  // (m.room.member, sender)
  StateKeyId target_member_key = kNoStateKey;  // member events: (m.room.member, state_key)
  StateKeyId third_party_invite_key =
      kNoStateKey;  // 3PID invites: (m.room.third_party_invite, token)
  StateKeyId authorising_member_key =
      kNoStateKey;                            // restricted joins: join_authorised_via_users_server
  Membership membership = Membership::kNone;  // member events
  JoinRule join_rule = JoinRule::kInvite;     // join-rules events
  std::shared_ptr<const ParsedPowerLevels> power_levels;  // power-levels events
  std::vector<std::string> creators;                      // create events: the room's creators
  std::vector<StateKeyId> creator_keys;  // create events: (m.room.member, creator) per creator
  // Power-levels events: `users` by (m.room.member, user) key, sorted by key; the auth rules
  // look levels up by key (an integer), not by user ID string.
  std::vector<std::pair<StateKeyId, PowerLevel>> power_users;
  // State resolution's "power event": power levels, join rules, kicks and bans.
  bool is_power_event = false;
  // The sender's level from the event's own auth events (reverse topological power ordering).
  PowerLevel sender_power_for_sort = 0;

  bool is_state() const { return state_key.has_value(); }
  // The room's create event: type m.room.create with state_key "".
  bool is_room_create() const { return kind == EventKind::kCreate && state_key == ""; }
  std::size_t listed_auth_count() const {
    return auth_events.size() - (create_is_implicit ? 1 : 0);
  }
};

}  // namespace dmlssim::models::matrix
