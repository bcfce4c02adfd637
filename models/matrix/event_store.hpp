// All events of one room, stored once and addressed by EventIndex.
//
// Invariant: an event is stored only after all of its prev_events and auth_events, so ascending
// EventIndex order is a topological order of the DAG (parents first). Events never change once
// stored; references stay valid while more events are added.
#pragma once

#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/matrix/event.hpp"
#include "models/matrix/room_version.hpp"

namespace dmlssim::models::matrix {

// What a caller supplies to store an event; parents are named by event ID.
struct EventSpec {
  std::string event_id;
  std::string type;
  std::optional<std::string> state_key;
  std::string sender;
  nlohmann::json content = nlohmann::json::object();
  std::int64_t origin_server_ts = 0;
  std::int64_t depth = 0;
  std::vector<std::string> prev_events;
  std::vector<std::string> auth_events;
  bool rejected = false;
};

struct StateKey {
  std::string type;
  std::string state_key;
};

class EventStore {
 public:
  explicit EventStore(const RoomVersion& version);
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  const RoomVersion& version() const { return *version_; }

  // Stores the event and returns its index. Throws std::invalid_argument naming the event when
  // its ID is already stored or a prev or auth event is unknown (or, v12, no create is stored).
  EventIndex add(const EventSpec& spec);
  // The event `add` would store, with every derived field, without storing it (state keys it
  // names are interned). Same errors as `add`, except for an ID already stored.
  Event preview(const EventSpec& spec);

  const Event& operator[](EventIndex i) const { return events_[i]; }
  std::size_t size() const { return events_.size(); }
  std::optional<EventIndex> find(std::string_view event_id) const;
  // events_[i].auth_events, from one contiguous array (the walks of state resolution stay in
  // cache).
  std::span<const EventIndex> auth_parents(EventIndex i) const {
    return {auth_edges_.data() + auth_offsets_[i], auth_edges_.data() + auth_offsets_[i + 1]};
  }

  StateKeyId intern_key(std::string_view type, std::string_view state_key);
  std::optional<StateKeyId> find_key(std::string_view type, std::string_view state_key) const;
  const StateKey& key(StateKeyId id) const { return keys_[id]; }
  std::size_t key_count() const { return keys_.size(); }

  // The keys every room has, interned at construction.
  StateKeyId create_key() const { return create_key_; }
  StateKeyId power_levels_key() const { return power_levels_key_; }
  StateKeyId join_rules_key() const { return join_rules_key_; }

  // The first stored m.room.create event, kNoEvent before there is one.
  EventIndex create_event() const { return create_event_; }

 private:
  void derive(Event& e);
  PowerLevel sort_power(const Event& e) const;

  const RoomVersion* version_;
  std::deque<Event> events_;
  std::unordered_map<std::string_view, EventIndex> by_id_;  // views into events_[i].event_id
  std::vector<EventIndex> auth_edges_;
  std::vector<std::uint32_t> auth_offsets_{0};  // auth_parents(i) = [offsets[i], offsets[i+1])
  std::vector<StateKey> keys_;
  std::unordered_map<std::string, StateKeyId> key_ids_;  // type + '\0' + state_key
  StateKeyId create_key_, power_levels_key_, join_rules_key_;
  EventIndex create_event_ = kNoEvent;
};

}  // namespace dmlssim::models::matrix
