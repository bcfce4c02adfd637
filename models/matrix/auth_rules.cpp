#include "models/matrix/auth_rules.hpp"

#include <algorithm>

#include "models/matrix/user_id.hpp"

namespace dmlssim::models::matrix {
namespace {

constexpr AuthVerdict allow() {
  return AuthVerdict{true, ""};
}
constexpr AuthVerdict reject(const char* reason) {
  return AuthVerdict{false, reason};
}

const Event* get(const EventStore& store, EventIndex i) {
  return i == kNoEvent ? nullptr : &store[i];
}

Membership membership_in(const EventStore& store, EventIndex member_event) {
  const Event* e = get(store, member_event);
  return e == nullptr ? Membership::kNone : e->membership;
}

bool is_recognised_room_version(const nlohmann::json& value) {
  if (!value.is_string()) return false;
  const std::string& id = value.get_ref<const std::string&>();
  return id == "1" || find_room_version(id) != nullptr;
}

PowerLevel level_from(const RoomVersion& version, const Event& create, const Event* power_event,
                      StateKeyId user) {
  const auto& creators = create.creator_keys;
  const bool is_creator = std::find(creators.begin(), creators.end(), user) != creators.end();
  if (version.creators_infinite && is_creator) return kInfinitePower;
  if (power_event != nullptr) {
    const auto& users = power_event->power_users;
    const auto it =
        std::lower_bound(users.begin(), users.end(), user,
                         [](const auto& entry, StateKeyId k) { return entry.first < k; });
    if (it != users.end() && it->first == user) return it->second;
    return power_event->power_levels->levels.users_default.value_or(0);
  }
  return is_creator ? 100 : 0;
}

// What the rules read from the auth state, looked up once.
struct Context {
  const EventStore& store;
  const RoomVersion& version;
  const Event& event;
  const Event* create;
  const Event* power_event;  // nullptr: no power-levels event in the state
  const PowerLevels* power;  // its content, nullptr likewise
  JoinRule join_rule;

  const std::vector<std::string>& creators() const { return create->creators; }
  // `user`: the user's (m.room.member, user) key.
  PowerLevel level_of(StateKeyId user) const {
    return level_from(version, *create, power_event, user);
  }
  PowerLevel ban_level() const { return power ? power->ban_level() : 50; }
  PowerLevel kick_level() const { return power ? power->kick_level() : 50; }
  PowerLevel invite_level() const { return power ? power->invite_level() : 0; }
  PowerLevel redact_level() const { return power ? power->redact_level() : 50; }
};

// A join rule the room version does not know is treated like an unknown rule.
JoinRule effective_join_rule(JoinRule rule, const RoomVersion& v) {
  if (rule == JoinRule::kKnock && !v.knocking) return JoinRule::kOther;
  if (rule == JoinRule::kRestricted && !v.restricted_join) return JoinRule::kOther;
  if (rule == JoinRule::kKnockRestricted && !v.knock_restricted) return JoinRule::kOther;
  return rule;
}

AuthVerdict check_create(const RoomVersion& v, const Event& e) {
  if (!e.prev_events.empty()) return reject("create event has prev_events");
  const nlohmann::json& content = e.content;
  if (content.is_object() && content.contains("room_version") &&
      !is_recognised_room_version(content["room_version"])) {
    return reject("create event names an unknown room_version");
  }
  if (v.create_needs_creator && (!content.is_object() || !content.contains("creator"))) {
    return reject("create event has no creator");
  }
  if (v.creators_infinite && content.is_object() && content.contains("additional_creators")) {
    const nlohmann::json& extra = content["additional_creators"];
    if (!extra.is_array()) return reject("additional_creators is not an array");
    for (const auto& c : extra) {
      if (!c.is_string() || !is_valid_user_id(c.get_ref<const std::string&>())) {
        return reject("additional_creators holds an invalid user ID");
      }
    }
  }
  return allow();
}

AuthVerdict check_join(const Context& c, const AuthState& s) {
  const Event& e = c.event;
  if (e.prev_events.size() == 1 && e.prev_events[0] == s.create &&
      !c.create->creator_keys.empty() && e.target_member_key == c.create->creator_keys.front()) {
    return allow();  // the creator's own first join
  }
  if (e.sender != *e.state_key) return reject("join for another user");
  const Membership current = membership_in(c.store, s.target_member);
  if (current == Membership::kBan) return reject("joining user is banned");
  switch (c.join_rule) {
    case JoinRule::kInvite:
    case JoinRule::kKnock:
      if (current == Membership::kInvite || current == Membership::kJoin) return allow();
      return reject("join rule needs an invite");
    case JoinRule::kRestricted:
    case JoinRule::kKnockRestricted: {
      if (current == Membership::kInvite || current == Membership::kJoin) return allow();
      const Event* via = get(c.store, s.authorising_member);
      if (via == nullptr || via->membership != Membership::kJoin ||
          c.level_of(via->key) < c.invite_level()) {
        return reject("restricted join not authorised by a joined user who may invite");
      }
      return allow();
    }
    case JoinRule::kPublic:
      return allow();
    case JoinRule::kOther:
      break;
  }
  return reject("join rule forbids joining");
}

AuthVerdict check_third_party_invite(const Context& c, const AuthState& s) {
  const Event& e = c.event;
  if (membership_in(c.store, s.target_member) == Membership::kBan) {
    return reject("3PID invite of a banned user");
  }
  const nlohmann::json& tpi = e.content["third_party_invite"];
  if (!tpi.is_object() || !tpi.contains("signed") || !tpi["signed"].is_object()) {
    return reject("3PID invite without signed");
  }
  const nlohmann::json& signed_part = tpi["signed"];
  if (!signed_part.contains("mxid") || !signed_part.contains("token")) {
    return reject("3PID invite signed without mxid or token");
  }
  if (signed_part["mxid"] != *e.state_key) return reject("3PID invite mxid is not the target");
  const Event* invite = get(c.store, s.third_party_invite);
  if (invite == nullptr) return reject("no m.room.third_party_invite for the token");
  if (invite->sender != e.sender) return reject("3PID invite sent by another user");
  // Signatures are not modelled: a signed block with signatures counts as verified.
  if (!signed_part.contains("signatures")) return reject("3PID invite is not signed");
  return allow();
}

AuthVerdict check_member(const Context& c, const AuthState& s) {
  const Event& e = c.event;
  if (!e.state_key || e.membership == Membership::kNone) {
    return reject("member event without state_key or membership");
  }
  const Membership sender = membership_in(c.store, s.sender_member);
  const Membership target = membership_in(c.store, s.target_member);
  switch (e.membership) {
    case Membership::kJoin:
      return check_join(c, s);
    case Membership::kInvite: {
      if (e.content.contains("third_party_invite")) return check_third_party_invite(c, s);
      if (sender != Membership::kJoin) return reject("inviter is not joined");
      if (target == Membership::kJoin || target == Membership::kBan) {
        return reject("invitee is joined or banned");
      }
      if (c.level_of(e.sender_member_key) >= c.invite_level()) return allow();
      return reject("inviter below the invite level");
    }
    case Membership::kLeave: {
      if (e.sender_member_key == e.target_member_key) {
        if (target == Membership::kInvite || target == Membership::kJoin ||
            (target == Membership::kKnock && c.version.knocking)) {
          return allow();
        }
        return reject("leaving user is not invited, joined or knocking");
      }
      if (sender != Membership::kJoin) return reject("kicker is not joined");
      const PowerLevel sender_level = c.level_of(e.sender_member_key);
      if (target == Membership::kBan && sender_level < c.ban_level()) {
        return reject("unban below the ban level");
      }
      if (sender_level >= c.kick_level() && c.level_of(e.target_member_key) < sender_level) {
        return allow();
      }
      return reject("kick without enough power");
    }
    case Membership::kBan: {
      if (sender != Membership::kJoin) return reject("banner is not joined");
      const PowerLevel sender_level = c.level_of(e.sender_member_key);
      if (sender_level >= c.ban_level() && c.level_of(e.target_member_key) < sender_level) {
        return allow();
      }
      return reject("ban without enough power");
    }
    case Membership::kKnock: {
      if (!c.version.knocking) break;
      if (c.join_rule != JoinRule::kKnock && c.join_rule != JoinRule::kKnockRestricted) {
        return reject("join rule does not allow knocking");
      }
      if (e.sender != *e.state_key) return reject("knock for another user");
      if (sender != Membership::kBan && sender != Membership::kInvite &&
          sender != Membership::kJoin) {
        return allow();
      }
      return reject("knocking user is banned, invited or joined");
    }
    default:
      break;
  }
  return reject("unknown membership");
}

// Compares an `events`/`notifications` map (rules "changed or removed" then "added or changed").
bool level_map_change_allowed(const std::optional<LevelMap>& before,
                              const std::optional<LevelMap>& after, PowerLevel sender_level) {
  static const LevelMap kEmpty;
  const LevelMap& old_map = before ? *before : kEmpty;
  const LevelMap& new_map = after ? *after : kEmpty;
  for (const auto& [key, old_level] : old_map) {
    const auto new_level = find_level(new_map, key);
    if (new_level != old_level && old_level > sender_level) return false;
  }
  for (const auto& [key, new_level] : new_map) {
    const auto old_level = find_level(old_map, key);
    if (old_level != new_level && new_level > sender_level) return false;
  }
  return true;
}

AuthVerdict check_power_levels(const Context& c) {
  const Event& e = c.event;
  const ParsedPowerLevels& parsed = *e.power_levels;
  if (!parsed.valid) return reject("power levels content is malformed");
  const PowerLevels& next = parsed.levels;
  if (c.version.creators_infinite && next.users) {
    for (const std::string& creator : c.creators()) {
      if (find_level(*next.users, creator)) return reject("power levels list a room creator");
    }
  }
  if (c.power == nullptr) return allow();
  const PowerLevels& current = *c.power;
  const PowerLevel sender_level = c.level_of(e.sender_member_key);
  const std::optional<PowerLevel> PowerLevels::*scalars[] = {
      &PowerLevels::users_default, &PowerLevels::events_default, &PowerLevels::state_default,
      &PowerLevels::ban,           &PowerLevels::redact,         &PowerLevels::kick,
      &PowerLevels::invite};
  for (const auto field : scalars) {
    const auto& old_level = current.*field;
    const auto& new_level = next.*field;
    if (old_level == new_level) continue;
    if (old_level && *old_level > sender_level) return reject("changes a level above the sender's");
    if (new_level && *new_level > sender_level) return reject("sets a level above the sender's");
  }
  if (!level_map_change_allowed(current.events, next.events, sender_level)) {
    return reject("changes an event level above the sender's");
  }
  if (c.version.notifications_in_power &&
      !level_map_change_allowed(current.notifications, next.notifications, sender_level)) {
    return reject("changes a notification level above the sender's");
  }
  static const LevelMap kEmpty;
  const LevelMap& old_users = current.users ? *current.users : kEmpty;
  const LevelMap& new_users = next.users ? *next.users : kEmpty;
  for (const auto& [user, old_level] : old_users) {
    if (user == e.sender) continue;
    if (find_level(new_users, user) != old_level && old_level >= sender_level) {
      return reject("changes the level of a user at or above the sender");
    }
  }
  for (const auto& [user, new_level] : new_users) {
    if (find_level(old_users, user) != new_level && new_level > sender_level) {
      return reject("gives a user a level above the sender's");
    }
  }
  return allow();
}

}  // namespace

PowerLevel user_level(const EventStore& store, EventIndex create, EventIndex power_levels,
                      StateKeyId user) {
  static const Event kNoCreate;
  return level_from(store.version(), create == kNoEvent ? kNoCreate : store[create],
                    power_levels == kNoEvent ? nullptr : &store[power_levels], user);
}

AuthKeys auth_keys_for(const EventStore& store, const Event& e) {
  AuthKeys out;
  auto push = [&out](StateKeyId k) {
    if (k == kNoStateKey) return;
    for (std::size_t i = 0; i < out.count; ++i) {
      if (out.keys[i] == k) return;
    }
    out.keys[out.count++] = k;
  };
  if (e.kind == EventKind::kCreate) return out;
  if (!store.version().create_implicit_in_auth) push(store.create_key());
  push(store.power_levels_key());
  push(e.sender_member_key);
  if (e.kind == EventKind::kMember && e.state_key) {
    push(e.target_member_key);
    if (e.membership == Membership::kJoin || e.membership == Membership::kInvite ||
        e.membership == Membership::kKnock) {
      push(store.join_rules_key());
    }
    if (e.membership == Membership::kInvite) push(e.third_party_invite_key);
    if (e.membership == Membership::kJoin && store.version().restricted_join) {
      push(e.authorising_member_key);
    }
  }
  return out;
}

void assign_auth_slot(const EventStore& store, const Event& e, StateKeyId key, EventIndex event,
                      AuthState& state) {
  if (key == kNoStateKey) return;
  if (key == store.create_key()) state.create = event;
  if (key == store.power_levels_key()) state.power_levels = event;
  if (key == store.join_rules_key()) state.join_rules = event;
  if (key == e.sender_member_key) state.sender_member = event;
  if (key == e.target_member_key) state.target_member = event;
  if (key == e.third_party_invite_key) state.third_party_invite = event;
  if (key == e.authorising_member_key) state.authorising_member = event;
}

AuthState auth_state_from_auth_events(const EventStore& store, const Event& e) {
  AuthState state;
  for (const EventIndex a : e.auth_events) {
    const Event& auth = store[a];
    if (auth.rejected || auth.key == kNoStateKey) continue;
    assign_auth_slot(store, e, auth.key, a, state);
  }
  return state;
}

AuthVerdict check_auth_events(const EventStore& store, const Event& e) {
  const AuthKeys selected = auth_keys_for(store, e);
  bool has_create = false;
  for (std::size_t i = 0; i < e.listed_auth_count(); ++i) {
    const Event& auth = store[e.auth_events[i]];
    for (std::size_t j = 0; j < i; ++j) {
      if (store[e.auth_events[j]].key == auth.key) return reject("duplicate auth event key");
    }
    const bool wanted = auth.key != kNoStateKey &&
                        std::find(selected.keys.begin(), selected.keys.begin() + selected.count,
                                  auth.key) != selected.keys.begin() + selected.count;
    if (!wanted) return reject("auth event not chosen by the auth events selection");
    if (auth.rejected) return reject("rejected auth event");
    has_create = has_create || auth.key == store.create_key();
  }
  const bool is_create = e.kind == EventKind::kCreate;
  if (!is_create && !store.version().create_implicit_in_auth && !has_create) {
    return reject("no m.room.create among the auth events");
  }
  return allow();
}

AuthVerdict check_auth_rules(const EventStore& store, const Event& e, const AuthState& state) {
  const RoomVersion& v = store.version();
  if (e.kind == EventKind::kCreate) return check_create(v, e);
  const Event* create = get(store, state.create);
  if (create == nullptr) return reject("no m.room.create in the auth state");
  if (create->content.is_object() && create->content.contains("m.federate") &&
      create->content["m.federate"] == false && domain_of(e.sender) != domain_of(create->sender)) {
    return reject("room does not federate");
  }
  if (v.special_aliases && e.kind == EventKind::kAliases) {
    if (!e.state_key) return reject("aliases without state_key");
    if (domain_of(e.sender) != *e.state_key) return reject("aliases for another server");
    return allow();
  }
  const Event* power_event = get(store, state.power_levels);
  const Event* join_rules = get(store, state.join_rules);
  const Context c{store,
                  v,
                  e,
                  create,
                  power_event,
                  power_event != nullptr ? &power_event->power_levels->levels : nullptr,
                  effective_join_rule(join_rules ? join_rules->join_rule : JoinRule::kInvite, v)};
  if (e.kind == EventKind::kMember) return check_member(c, state);
  if (membership_in(store, state.sender_member) != Membership::kJoin) {
    return reject("sender is not joined");
  }
  const PowerLevel sender_level = c.level_of(e.sender_member_key);
  if (e.kind == EventKind::kThirdPartyInvite) {
    return sender_level >= c.invite_level() ? allow() : reject("below the invite level");
  }
  const PowerLevel required =
      c.power ? c.power->required_level(e.type, e.is_state()) : (e.is_state() ? 50 : 0);
  if (required > sender_level) return reject("sender below the event's required level");
  if (e.state_key && !e.state_key->empty() && e.state_key->front() == '@' &&
      *e.state_key != e.sender) {
    return reject("state_key names another user");
  }
  if (e.kind == EventKind::kPowerLevels) return check_power_levels(c);
  if (v.special_redaction && e.kind == EventKind::kRedaction) {
    if (sender_level >= c.redact_level()) return allow();
    // v1-v2: also allowed when the redacted event comes from the sender's server. The redacted
    // event ID is read from content.redacts.
    const auto it = e.content.find("redacts");
    if (it != e.content.end() && it->is_string() &&
        domain_of(it->get_ref<const std::string&>()) == domain_of(e.event_id)) {
      return allow();
    }
    return reject("redaction below the redact level");
  }
  return allow();
}

}  // namespace dmlssim::models::matrix
