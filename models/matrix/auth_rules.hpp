// The authorization rules of room versions 2-12 (spec: rooms/vN "Authorization rules") and the
// auth events selection of the server-server API.
//
// Not modelled: signatures (events are taken as validly signed, 3PID invite signatures included),
// the room_id checks of rule 1 and v12 rule 2 (an EventStore holds one room, whose create event
// is known), and the event size limits.
#pragma once

#include <array>

#include "models/matrix/event_store.hpp"

namespace dmlssim::models::matrix {

// The state events the rules consult, kNoEvent where the state has none.
struct AuthState {
  EventIndex create = kNoEvent;
  EventIndex power_levels = kNoEvent;
  EventIndex join_rules = kNoEvent;
  EventIndex sender_member = kNoEvent;
  EventIndex target_member = kNoEvent;       // member events
  EventIndex third_party_invite = kNoEvent;  // 3PID invites
  EventIndex authorising_member = kNoEvent;  // restricted joins
};

struct AuthVerdict {
  bool allowed = true;
  const char* reason = "";  // why it was rejected; static storage
  explicit operator bool() const { return allowed; }
};

// The (type, state_key) keys the auth events selection picks for `e`: the create event (not in
// v12), the power levels, the sender's membership; for member events also the target's
// membership, the join rules (join, invite, knock), the 3PID invite (token) and the authorising
// user's membership (restricted joins). Unused slots are kNoStateKey.
struct AuthKeys {
  std::array<StateKeyId, 7> keys{kNoStateKey, kNoStateKey, kNoStateKey, kNoStateKey,
                                 kNoStateKey, kNoStateKey, kNoStateKey};
  std::size_t count = 0;
};
AuthKeys auth_keys_for(const EventStore& store, const Event& e);

// Fills the slot of AuthState that `key` feeds for `e` with `event` (does nothing when `e` does not
// consult that key).
void assign_auth_slot(const EventStore& store, const Event& e, StateKeyId key, EventIndex event,
                      AuthState& state);

// The auth state made of `e`'s own auth events that were not rejected.
AuthState auth_state_from_auth_events(const EventStore& store, const Event& e);

// The auth state looked up in a room state (for "auth against the state before the event" and
// "against the current state").
template <typename Lookup>  // Lookup: EventIndex(StateKeyId), kNoEvent when absent
AuthState auth_state_from(const EventStore& store, const Event& e, Lookup&& lookup) {
  AuthState state;
  const AuthKeys keys = auth_keys_for(store, e);
  for (std::size_t i = 0; i < keys.count; ++i) {
    assign_auth_slot(store, e, keys.keys[i], lookup(keys.keys[i]), state);
  }
  if (store.version().create_implicit_in_auth) state.create = store.create_event();
  return state;
}

// A user's level, the user named by their (m.room.member, user) key, given the auth state's
// create and power-levels events (kNoEvent: none): v12 creators are infinite; else the listed
// level or users_default; with no power-levels event the creator has 100 and everyone else 0.
PowerLevel user_level(const EventStore& store, EventIndex create, EventIndex power_levels,
                      StateKeyId user);

// Rule "considering the event's auth_events": no duplicate keys, only selected keys, none
// rejected, the create event present (v2-v11) or absent (v12).
AuthVerdict check_auth_events(const EventStore& store, const Event& e);

// Every other rule, against `state`.
AuthVerdict check_auth_rules(const EventStore& store, const Event& e, const AuthState& state);

}  // namespace dmlssim::models::matrix
