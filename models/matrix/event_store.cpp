#include "models/matrix/event_store.hpp"

#include <algorithm>
#include <stdexcept>

namespace dmlssim::models::matrix {
namespace {

std::string joined_key(std::string_view type, std::string_view state_key) {
  std::string k;
  k.reserve(type.size() + 1 + state_key.size());
  k.append(type).push_back('\0');
  k.append(state_key);
  return k;
}

const std::string* string_field(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

Membership parse_membership(const nlohmann::json& content) {
  if (!content.is_object() || !content.contains("membership")) return Membership::kNone;
  const std::string* m = string_field(content, "membership");
  if (m == nullptr) return Membership::kUnknown;
  if (*m == "join") return Membership::kJoin;
  if (*m == "invite") return Membership::kInvite;
  if (*m == "leave") return Membership::kLeave;
  if (*m == "ban") return Membership::kBan;
  if (*m == "knock") return Membership::kKnock;
  return Membership::kUnknown;
}

JoinRule parse_join_rule(const nlohmann::json& content) {
  if (!content.is_object() || !content.contains("join_rule")) return JoinRule::kInvite;
  const std::string* r = string_field(content, "join_rule");
  if (r == nullptr) return JoinRule::kOther;
  if (*r == "public") return JoinRule::kPublic;
  if (*r == "invite") return JoinRule::kInvite;
  if (*r == "knock") return JoinRule::kKnock;
  if (*r == "restricted") return JoinRule::kRestricted;
  if (*r == "knock_restricted") return JoinRule::kKnockRestricted;
  return JoinRule::kOther;  // "private" and anything unknown
}

}  // namespace

EventKind event_kind(std::string_view type) {
  if (type == "m.room.member") return EventKind::kMember;
  if (type == "m.room.power_levels") return EventKind::kPowerLevels;
  if (type == "m.room.join_rules") return EventKind::kJoinRules;
  if (type == "m.room.create") return EventKind::kCreate;
  if (type == "m.room.third_party_invite") return EventKind::kThirdPartyInvite;
  if (type == "m.room.aliases") return EventKind::kAliases;
  if (type == "m.room.redaction") return EventKind::kRedaction;
  return EventKind::kOther;
}

EventStore::EventStore(const RoomVersion& version) : version_(&version) {
  create_key_ = intern_key("m.room.create", "");
  power_levels_key_ = intern_key("m.room.power_levels", "");
  join_rules_key_ = intern_key("m.room.join_rules", "");
}

StateKeyId EventStore::intern_key(std::string_view type, std::string_view state_key) {
  const auto [it, inserted] =
      key_ids_.try_emplace(joined_key(type, state_key), static_cast<StateKeyId>(keys_.size()));
  if (inserted) keys_.push_back(StateKey{std::string(type), std::string(state_key)});
  return it->second;
}

std::optional<StateKeyId> EventStore::find_key(std::string_view type,
                                               std::string_view state_key) const {
  const auto it = key_ids_.find(joined_key(type, state_key));
  if (it == key_ids_.end()) return std::nullopt;
  return it->second;
}

std::optional<EventIndex> EventStore::find(std::string_view event_id) const {
  const auto it = by_id_.find(event_id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

EventIndex EventStore::add(const EventSpec& spec) {
  if (by_id_.count(spec.event_id) != 0) {
    throw std::invalid_argument("event " + spec.event_id + " is already stored");
  }
  Event e = preview(spec);
  const bool is_create = e.is_room_create();
  const auto index = static_cast<EventIndex>(events_.size());
  auth_edges_.insert(auth_edges_.end(), e.auth_events.begin(), e.auth_events.end());
  auth_offsets_.push_back(static_cast<std::uint32_t>(auth_edges_.size()));
  events_.push_back(std::move(e));
  by_id_.emplace(events_.back().event_id, index);
  if (is_create && create_event_ == kNoEvent) create_event_ = index;
  return index;
}

Event EventStore::preview(const EventSpec& spec) {
  Event e;
  e.event_id = spec.event_id;
  e.type = spec.type;
  e.state_key = spec.state_key;
  e.sender = spec.sender;
  e.content = spec.content;
  e.origin_server_ts = spec.origin_server_ts;
  e.depth = spec.depth;
  e.rejected = spec.rejected;
  auto resolve = [&](const std::vector<std::string>& ids, const char* what) {
    std::vector<EventIndex> out;
    out.reserve(ids.size() + 1);
    for (const std::string& id : ids) {
      const auto found = find(id);
      if (!found) {
        throw std::invalid_argument("event " + spec.event_id + ": " + what + " " + id +
                                    " is not stored before it");
      }
      out.push_back(*found);
    }
    return out;
  };
  e.prev_events = resolve(spec.prev_events, "prev event");
  e.auth_events = resolve(spec.auth_events, "auth event");
  e.kind = event_kind(e.type);
  const bool is_create = e.is_room_create();
  if (version_->create_implicit_in_auth && !is_create) {
    if (create_event_ == kNoEvent) {
      throw std::invalid_argument("event " + spec.event_id + ": room version " +
                                  std::string(version_->id) +
                                  " needs the m.room.create event stored first");
    }
    e.auth_events.push_back(create_event_);
    e.create_is_implicit = true;
  }
  derive(e);
  return e;
}

void EventStore::derive(Event& e) {
  e.sender_member_key = intern_key("m.room.member", e.sender);
  if (e.kind == EventKind::kPowerLevels) {
    // Parsed for any event of the type: the power-level rules test the type alone.
    e.power_levels =
        std::make_shared<const ParsedPowerLevels>(parse_power_levels(e.content, *version_));
    if (e.power_levels->levels.users) {
      for (const auto& [user, level] : *e.power_levels->levels.users) {
        e.power_users.emplace_back(intern_key("m.room.member", user), level);
      }
      std::sort(e.power_users.begin(), e.power_users.end());
    }
  }
  if (!e.state_key) {
    e.sender_power_for_sort = sort_power(e);
    return;
  }
  e.key = intern_key(e.type, *e.state_key);
  const bool empty_key = e.state_key->empty();
  if (e.kind == EventKind::kMember) {
    e.target_member_key = e.key;
    e.membership = parse_membership(e.content);
    if (const nlohmann::json* tpi =
            e.content.is_object() && e.content.contains("third_party_invite")
                ? &e.content["third_party_invite"]
                : nullptr;
        tpi != nullptr && tpi->is_object() && tpi->contains("signed")) {
      if (const std::string* token = string_field((*tpi)["signed"], "token")) {
        e.third_party_invite_key = intern_key("m.room.third_party_invite", *token);
      }
    }
    if (const std::string* via = string_field(e.content, "join_authorised_via_users_server")) {
      e.authorising_member_key = intern_key("m.room.member", *via);
    }
    e.is_power_event = (e.membership == Membership::kLeave || e.membership == Membership::kBan) &&
                       e.sender != *e.state_key;
  } else if (e.kind == EventKind::kJoinRules && empty_key) {
    e.join_rule = parse_join_rule(e.content);
    e.is_power_event = true;
  } else if (e.kind == EventKind::kPowerLevels && empty_key) {
    e.is_power_event = true;
  } else if (e.is_room_create()) {
    if (version_->creator_is_create_sender) {
      e.creators.push_back(e.sender);
      const auto it =
          e.content.is_object() ? e.content.find("additional_creators") : e.content.end();
      if (version_->creators_infinite && it != e.content.end() && it->is_array()) {
        for (const auto& c : *it) {
          if (c.is_string()) e.creators.push_back(c.get<std::string>());
        }
      }
    } else if (const std::string* creator = string_field(e.content, "creator")) {
      e.creators.push_back(*creator);
    }
    for (const std::string& c : e.creators)
      e.creator_keys.push_back(intern_key("m.room.member", c));
  }
  e.sender_power_for_sort = sort_power(e);
}

PowerLevel EventStore::sort_power(const Event& e) const {
  const Event* create = nullptr;
  const Event* power = nullptr;
  for (const EventIndex a : e.auth_events) {
    const Event& auth = events_[a];
    if (auth.is_room_create()) create = &auth;
    if (auth.kind == EventKind::kPowerLevels && auth.state_key == "") power = &auth;
  }
  static const std::vector<std::string> kNoCreators;
  return user_power(create != nullptr ? create->creators : kNoCreators,
                    power != nullptr ? &power->power_levels->levels : nullptr, e.sender, *version_);
}

}  // namespace dmlssim::models::matrix
