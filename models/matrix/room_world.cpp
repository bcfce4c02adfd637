#include "models/matrix/room_world.hpp"

#include <algorithm>

#include "models/matrix/canonical_json.hpp"
#include "models/matrix/user_id.hpp"

namespace dmlssim::models::matrix {
namespace {

// What signing adds to a PDU: {"signatures":{"<origin>":{"ed25519:<key id>":"<86 base64
// characters of a 64-byte Ed25519 signature>"}}} with a 6-character key ID.
std::uint32_t signature_bytes(std::string_view origin) {
  return static_cast<std::uint32_t>(
      std::string_view(R"(,"signatures":{"":{"ed25519:abcdef":""}})").size() + origin.size() + 86);
}

}  // namespace

RoomWorld::RoomWorld(const RoomVersion& version, std::string room_id, ResolutionOptions resolution)
    : store_(version), history_(store_, resolution), room_id_(std::move(room_id)) {}

std::size_t RoomWorld::add_user(std::string user_id, sim::NodeId server) {
  const StateKeyId key = store_.intern_key("m.room.member", user_id);
  user_index_.try_emplace(user_id, users_.size());
  users_.push_back(RoomUser{std::move(user_id), server, key});
  return users_.size() - 1;
}

std::optional<sim::NodeId> RoomWorld::server_of(std::string_view user_id) const {
  const auto it = user_index_.find(std::string(user_id));
  if (it == user_index_.end()) return std::nullopt;
  return users_[it->second].server;
}

EventSpec RoomWorld::build(const StateMap& state_before, const std::vector<EventIndex>& prev,
                           const std::string& sender, const std::string& type,
                           std::optional<std::string> state_key, nlohmann::json content,
                           std::int64_t origin_server_ts_ms) const {
  const NewEvent e{type, std::move(state_key), sender, std::move(content), origin_server_ts_ms,
                   prev};
  return build_event(store_, state_before, e, room_id_);
}

EventIndex RoomWorld::store_built(const EventSpec& spec) {
  const EventIndex i = store_.add(spec);
  const Event& e = store_[i];
  const std::string wire = canonical_json(pdu_json(store_, e, room_id_));
  pdu_bytes_.push_back(static_cast<std::uint32_t>(wire.size()) +
                       signature_bytes(domain_of(e.sender)));
  const auto type = static_cast<std::size_t>(
      std::find(type_names_.begin(), type_names_.end(), e.type) - type_names_.begin());
  if (type == type_names_.size()) type_names_.push_back(e.type);
  type_ids_.push_back(static_cast<std::uint16_t>(type));
  return i;
}

EventIndex RoomWorld::build_and_store(const std::vector<EventIndex>& prev,
                                      const std::string& sender, const std::string& type,
                                      std::optional<std::string> state_key, nlohmann::json content,
                                      std::int64_t origin_server_ts_ms) {
  const StateMap before = history_.state_after_all(prev);
  return store_built(build(before, prev, sender, type, std::move(state_key), std::move(content),
                           origin_server_ts_ms));
}

std::vector<sim::NodeId> RoomWorld::joined_servers(const StateMap& state) const {
  std::vector<sim::NodeId> out;
  for (const RoomUser& u : users_) {
    const EventIndex m = state_lookup(state, u.member_key);
    if (m != kNoEvent && store_[m].membership == Membership::kJoin) out.push_back(u.server);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace dmlssim::models::matrix
