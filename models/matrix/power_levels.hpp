// The content of an m.room.power_levels event, parsed once when the event is stored.
//
// Fields absent from the content stay absent (std::nullopt): the auth rules compare what was
// written, not defaults (rooms/v11 rule 9.5 "added, changed or removed"). Accessors apply the
// spec defaults.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/matrix/room_version.hpp"

namespace dmlssim::models::matrix {

using PowerLevel = std::int64_t;

// A room creator's level in v12 (MSC4289): above every representable JSON level (|n| < 2^53).
inline constexpr PowerLevel kInfinitePower = std::numeric_limits<PowerLevel>::max();

// A sorted (by key, bytewise) map from string to level.
using LevelMap = std::vector<std::pair<std::string, PowerLevel>>;

struct PowerLevels {
  std::optional<PowerLevel> ban, kick, redact, invite, events_default, state_default, users_default;
  std::optional<LevelMap> events, notifications, users;

  PowerLevel ban_level() const { return ban.value_or(50); }
  PowerLevel kick_level() const { return kick.value_or(50); }
  PowerLevel redact_level() const { return redact.value_or(50); }
  PowerLevel invite_level() const { return invite.value_or(0); }
  // users[user] if listed, else users_default (0 when absent).
  PowerLevel user_level(std::string_view user) const;
  // events[type] if listed, else state_default (50) or events_default (0).
  PowerLevel required_level(std::string_view type, bool is_state) const;
};

// The parsed content and whether it satisfies the version's content rules (v10+: every level a
// JSON integer; earlier versions also accept integer strings, as Synapse's int() does; `users`
// keys must be user IDs). A content that fails is `valid == false`; its event is rejected by the
// auth rules and sorts with the defaults.
struct ParsedPowerLevels {
  PowerLevels levels;
  bool valid = true;
};
ParsedPowerLevels parse_power_levels(const nlohmann::json& content, const RoomVersion& version);

std::optional<PowerLevel> find_level(const LevelMap& map, std::string_view key);

// A user's level given the auth state's create event (its creators) and power-levels content
// (nullptr when the state has none): v12 creators are infinite; otherwise the listed level or
// users_default; with no power-levels event the creator has 100 and everyone else 0.
PowerLevel user_power(const std::vector<std::string>& creators, const PowerLevels* power_levels,
                      std::string_view user, const RoomVersion& version);

}  // namespace dmlssim::models::matrix
