#include "scenarios/dated_actions.hpp"

#include <cctype>
#include <optional>

namespace dmlssim::scenarios {
namespace {

namespace mx = models::matrix;
using Kind = mx::WorkloadConfig::Dated::Kind;

// "@u<i>:s<n>" of the room: its index in the room's users (server-major), or nullopt.
std::optional<std::size_t> user_index(const std::string& id, const mx::RoomSetup& room) {
  std::size_t colon = id.find(":s");
  if (id.size() < 6 || id.rfind("@u", 0) != 0 || colon == std::string::npos) return std::nullopt;
  const std::string i_text = id.substr(2, colon - 2), s_text = id.substr(colon + 2);
  auto whole = [](const std::string& t) {
    if (t.empty() || t.size() > 9) return false;
    for (const char c : t) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    return t.size() == 1 || t[0] != '0';
  };
  if (!whole(i_text) || !whole(s_text)) return std::nullopt;
  const std::size_t i = std::stoul(i_text), server = std::stoul(s_text);
  if (server >= room.users_per_server.size() || i >= room.users_per_server[server])
    return std::nullopt;
  std::size_t index = i;
  for (std::size_t s = 0; s < server; ++s)
    index += room.users_per_server[s];
  return index;
}

}  // namespace

std::vector<mx::WorkloadConfig::Dated> dated_actions(const YamlReader& reader,
                                                     const YAML::Node& node,
                                                     const mx::RoomSetup& room,
                                                     sim::SimTime duration) {
  const std::string list_key = "workload.actions";
  if (!node.IsSequence()) reader.fail(node, list_key, "expected a list of actions");
  static const std::pair<const char*, Kind> kKinds[] = {{"kick", Kind::kKick},
                                                        {"ban", Kind::kBan},
                                                        {"unban", Kind::kUnban},
                                                        {"leave", Kind::kLeave},
                                                        {"join", Kind::kJoin}};
  std::vector<mx::WorkloadConfig::Dated> out;
  for (std::size_t n = 0; n < node.size(); ++n) {
    const YAML::Node entry = node[n];
    const std::string key = list_key + "[" + std::to_string(n) + "]";
    reader.expect_map(entry, key, {"at", "by", "kick", "ban", "unban", "leave", "join"});
    const auto user = [&](const char* field) {
      const std::string id = reader.string(entry[field], key + "." + field);
      const std::optional<std::size_t> index = user_index(id, room);
      if (!index) {
        reader.fail(
            entry[field], key + "." + field,
            "'" + id + "' is not a user of the room (@u<i>:s<n>, i below users_per_server)");
      }
      return *index;
    };
    if (!entry["at"]) reader.fail(entry, key, "needs at: (when the action happens)");
    mx::WorkloadConfig::Dated action;
    action.at = reader.duration(entry["at"], key + ".at", sim::SimTime());
    if (action.at >= duration) {
      reader.fail(entry["at"], key + ".at",
                  "is not before the end of the run (" + sim::format_duration(duration) + ")");
    }
    const char* named = nullptr;
    for (const auto& [name, kind] : kKinds) {
      if (!entry[name]) continue;
      if (named != nullptr) {
        reader.fail(entry[name], key + "." + name,
                    std::string("one action per entry (") + named + " is given too)");
      }
      named = name;
      action.kind = kind;
    }
    if (named == nullptr) reader.fail(entry, key, "needs one of kick, ban, unban, leave, join");
    const bool on_other =
        action.kind == Kind::kKick || action.kind == Kind::kBan || action.kind == Kind::kUnban;
    if (on_other) {
      if (!entry["by"]) reader.fail(entry, key, std::string(named) + " needs by: (who acts)");
      action.target = user(named);
      action.actor = user("by");
      if (action.actor == action.target)
        reader.fail(entry["by"], key + ".by", "a user does not " + std::string(named) + " itself");
    } else {
      if (entry["by"])
        reader.fail(entry["by"], key + ".by", std::string(named) + " is the user's own action");
      action.actor = user(named);
    }
    out.push_back(action);
  }
  return out;
}

}  // namespace dmlssim::scenarios
