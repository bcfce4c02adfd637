// One room as the whole simulation shares it: every event ever sent (stored once), the states
// before and after each event (a function of the DAG alone, so the same at every server that has
// the event), each event's wire size, and who the users are and where they live.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "models/matrix/event_builder.hpp"
#include "models/matrix/state_history.hpp"
#include "sim/reachability.hpp"

namespace dmlssim::models::matrix {

struct RoomUser {
  std::string user_id;    // "@u3:s1"
  sim::NodeId server;     // the homeserver the user lives on
  StateKeyId member_key;  // (m.room.member, user_id)
};

class RoomWorld {
 public:
  // `resolution`: how every server resolves state (the spec's text, or Synapse's choices).
  RoomWorld(const RoomVersion& version, std::string room_id, ResolutionOptions resolution = {});

  EventStore& store() { return store_; }
  const EventStore& store() const { return store_; }
  StateHistory& history() { return history_; }
  const std::string& room_id() const { return room_id_; }

  // Registers a user of `server`; returns its index.
  std::size_t add_user(std::string user_id, sim::NodeId server);
  const std::vector<RoomUser>& users() const { return users_; }
  // The server of a user ID, or nullopt for users the world does not know.
  std::optional<sim::NodeId> server_of(std::string_view user_id) const;

  // Stores an event built on `prev` by `sender` (the state before is resolved from `prev`),
  // without any auth check; returns its index. Sizes are computed here.
  EventIndex build_and_store(const std::vector<EventIndex>& prev, const std::string& sender,
                             const std::string& type, std::optional<std::string> state_key,
                             nlohmann::json content, std::int64_t origin_server_ts_ms);
  // Builds without storing, for checks before committing to an event.
  EventSpec build(const StateMap& state_before, const std::vector<EventIndex>& prev,
                  const std::string& sender, const std::string& type,
                  std::optional<std::string> state_key, nlohmann::json content,
                  std::int64_t origin_server_ts_ms) const;
  EventIndex store_built(const EventSpec& spec);

  // Canonical-JSON size of the event as sent over federation, signatures included.
  std::uint32_t pdu_bytes(EventIndex e) const { return pdu_bytes_[e]; }
  // The event's type as a small number: types are numbered in order of first appearance.
  std::uint16_t type_id(EventIndex e) const { return type_ids_[e]; }
  const std::vector<std::string>& type_names() const { return type_names_; }

  // Servers with at least one joined user in `state`, ascending.
  std::vector<sim::NodeId> joined_servers(const StateMap& state) const;

 private:
  EventStore store_;
  StateHistory history_;
  std::string room_id_;
  std::vector<RoomUser> users_;
  std::unordered_map<std::string, std::size_t> user_index_;  // user ID -> its first entry
  std::vector<std::uint32_t> pdu_bytes_;
  std::vector<std::uint16_t> type_ids_;
  std::vector<std::string> type_names_;  // a room has a handful of event types
};

}  // namespace dmlssim::models::matrix
