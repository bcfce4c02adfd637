#include "scenarios/dated_actions.hpp"

#include <optional>

#include "scenarios/room_users.hpp"

namespace dmlssim::scenarios {
namespace {

namespace mx = models::matrix;
using Kind = mx::WorkloadConfig::Dated::Kind;

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
      const std::optional<std::size_t> index = room_user_index(id, room);
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
