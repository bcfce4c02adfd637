// Building new events the way a homeserver does: auth events chosen from the state before the
// event by the auth events selection (server-server API), depth from the prev events, the content
// hash and the reference-hash event ID of the room version (>= 10). Signatures are not modelled.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/matrix/event_store.hpp"
#include "models/matrix/state_map.hpp"

namespace dmlssim::models::matrix {

struct NewEvent {
  std::string type;
  std::optional<std::string> state_key;
  std::string sender;
  nlohmann::json content = nlohmann::json::object();
  std::int64_t origin_server_ts = 0;    // milliseconds
  std::vector<EventIndex> prev_events;  // empty only for m.room.create
};

// The spec of `e` as its sender's server would build it on top of `state_before` (the state
// after resolving `e.prev_events`). For v12 the create event carries no room_id and every other
// event's room_id is "!" + the create event's hash; for v10/v11 `room_id` is used as given.
// Below v10 (test rooms only) the ID is hashed with the v11 redaction rules.
EventSpec build_event(const EventStore& store, const StateMap& state_before, const NewEvent& e,
                      const std::string& room_id);

// The room ID of a v12 room ("!" + the create event's reference hash), or `fallback` before v12.
std::string room_id_for(const EventStore& store, const std::string& fallback);

// The federation (PDU) form of a stored event, as it travels in /send: without `event_id` (room
// versions >= 4 derive it from the reference hash of this object).
nlohmann::json pdu_json(const EventStore& store, const Event& e, const std::string& room_id);

}  // namespace dmlssim::models::matrix
