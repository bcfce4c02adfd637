#include "models/matrix/power_levels.hpp"

#include <algorithm>
#include <charconv>

#include "models/matrix/user_id.hpp"

namespace dmlssim::models::matrix {
namespace {

// Largest magnitude a canonical-JSON integer may have (2^53 - 1).
constexpr PowerLevel kMaxJsonInteger = (PowerLevel{1} << 53) - 1;

std::optional<PowerLevel> to_level(const nlohmann::json& value, const RoomVersion& version) {
  if (value.is_number_integer()) {
    const PowerLevel v = value.is_number_unsigned()
                             ? static_cast<PowerLevel>(std::min<std::uint64_t>(
                                   value.get<std::uint64_t>(), kMaxJsonInteger + 1))
                             : value.get<PowerLevel>();
    if (v > kMaxJsonInteger || v < -kMaxJsonInteger) return std::nullopt;
    return v;
  }
  if (!version.integer_power_levels && value.is_string()) {
    // Python's int(): optional surrounding whitespace and sign, decimal digits.
    std::string_view s = value.get_ref<const std::string&>();
    while (!s.empty() && s.front() == ' ')
      s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
      s.remove_suffix(1);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    PowerLevel v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    if (v > kMaxJsonInteger || v < -kMaxJsonInteger) return std::nullopt;
    return v;
  }
  return std::nullopt;
}

std::optional<LevelMap> to_level_map(const nlohmann::json& value, const RoomVersion& version,
                                     bool keys_are_users, bool& valid) {
  LevelMap map;
  if (!value.is_object()) {
    valid = false;
    return map;
  }
  for (const auto& [key, level] : value.items()) {
    const std::optional<PowerLevel> parsed = to_level(level, version);
    if (!parsed || (keys_are_users && !is_valid_user_id(key))) {
      valid = false;
      continue;
    }
    map.emplace_back(key, *parsed);
  }
  std::sort(map.begin(), map.end());
  return map;
}

}  // namespace

std::optional<PowerLevel> find_level(const LevelMap& map, std::string_view key) {
  const auto it =
      std::lower_bound(map.begin(), map.end(), key,
                       [](const auto& entry, std::string_view k) { return entry.first < k; });
  if (it == map.end() || it->first != key) return std::nullopt;
  return it->second;
}

PowerLevel PowerLevels::user_level(std::string_view user) const {
  if (users) {
    if (const auto level = find_level(*users, user)) return *level;
  }
  return users_default.value_or(0);
}

PowerLevel PowerLevels::required_level(std::string_view type, bool is_state) const {
  if (events) {
    if (const auto level = find_level(*events, type)) return *level;
  }
  return is_state ? state_default.value_or(50) : events_default.value_or(0);
}

PowerLevel user_power(const std::vector<std::string>& creators, const PowerLevels* power_levels,
                      std::string_view user, const RoomVersion& version) {
  const bool is_creator = std::find(creators.begin(), creators.end(), user) != creators.end();
  if (version.creators_infinite && is_creator) return kInfinitePower;
  if (power_levels != nullptr) return power_levels->user_level(user);
  return is_creator ? 100 : 0;
}

ParsedPowerLevels parse_power_levels(const nlohmann::json& content, const RoomVersion& version) {
  ParsedPowerLevels out;
  if (!content.is_object()) {
    out.valid = false;
    return out;
  }
  const std::pair<const char*, std::optional<PowerLevel> PowerLevels::*> scalars[] = {
      {"ban", &PowerLevels::ban},
      {"kick", &PowerLevels::kick},
      {"redact", &PowerLevels::redact},
      {"invite", &PowerLevels::invite},
      {"events_default", &PowerLevels::events_default},
      {"state_default", &PowerLevels::state_default},
      {"users_default", &PowerLevels::users_default}};
  for (const auto& [name, field] : scalars) {
    const auto it = content.find(name);
    if (it == content.end()) continue;
    out.levels.*field = to_level(*it, version);
    if (!(out.levels.*field)) out.valid = false;
  }
  if (const auto it = content.find("events"); it != content.end()) {
    out.levels.events = to_level_map(*it, version, false, out.valid);
  }
  if (const auto it = content.find("notifications");
      it != content.end() && version.notifications_in_power) {
    out.levels.notifications = to_level_map(*it, version, false, out.valid);
  }
  if (const auto it = content.find("users"); it != content.end()) {
    out.levels.users = to_level_map(*it, version, true, out.valid);
  }
  return out;
}

}  // namespace dmlssim::models::matrix
