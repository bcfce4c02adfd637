// A room state: (type, state_key) -> event, as a vector sorted by StateKeyId.
#pragma once

#include <algorithm>
#include <vector>

#include "models/matrix/event.hpp"

namespace dmlssim::models::matrix {

struct StateEntry {
  StateKeyId key;
  EventIndex event;
  friend bool operator==(const StateEntry&, const StateEntry&) = default;
};

using StateMap = std::vector<StateEntry>;  // sorted by key, one entry per key

inline EventIndex state_lookup(const StateMap& state, StateKeyId key) {
  const auto it = std::lower_bound(state.begin(), state.end(), key,
                                   [](const StateEntry& e, StateKeyId k) { return e.key < k; });
  return it != state.end() && it->key == key ? it->event : kNoEvent;
}

inline void state_set(StateMap& state, StateKeyId key, EventIndex event) {
  const auto it = std::lower_bound(state.begin(), state.end(), key,
                                   [](const StateEntry& e, StateKeyId k) { return e.key < k; });
  if (it != state.end() && it->key == key) {
    it->event = event;
  } else {
    state.insert(it, StateEntry{key, event});
  }
}

}  // namespace dmlssim::models::matrix
