#include "models/matrix/state_history.hpp"

#include <algorithm>

namespace dmlssim::models::matrix {

StateHistory::StateHistory(const EventStore& store, ResolutionOptions options)
    : store_(store), options_(options), resolver_(store) {}

SharedState StateHistory::shared_state_before(EventIndex e) {
  compute_up_to(e);
  return before_[e];
}

SharedState StateHistory::shared_state_after(EventIndex e) {
  compute_up_to(e);
  return after_[e];
}

StateMap StateHistory::state_after_all(std::span<const EventIndex> events, ResolutionStats* stats) {
  if (events.empty()) return {};
  if (events.size() == 1) return state_after(events[0]);
  std::vector<SharedState> held;
  std::vector<const StateMap*> states;
  for (const EventIndex e : events) {
    held.push_back(shared_state_after(e));
    states.push_back(held.back().get());
  }
  return resolver_.resolve(states, options_, stats);
}

SharedState StateHistory::shared_state_after_all(std::span<const EventIndex> events) {
  if (events.size() == 1) return shared_state_after(events[0]);
  // A reused vector: servers ask this after almost every admission.
  std::vector<SharedState>& states = scratch_states_;
  states.clear();
  for (const EventIndex e : events)
    states.push_back(shared_state_after(e));
  SharedState result = resolve_distinct(states);
  states.clear();
  return result;
}

SharedState StateHistory::shared_state_after_all_and_before(std::span<const EventIndex> events,
                                                            EventIndex also) {
  std::vector<SharedState>& states = scratch_states_;
  states.clear();
  for (const EventIndex e : events)
    states.push_back(shared_state_after(e));
  states.push_back(shared_state_before(also));
  SharedState result = resolve_distinct(states);
  states.clear();
  return result;
}

SharedState StateHistory::resolve_distinct(std::vector<SharedState>& states) {
  static const SharedState kEmpty = std::make_shared<const StateMap>();
  std::sort(states.begin(), states.end(),
            [](const SharedState& a, const SharedState& b) { return a.get() < b.get(); });
  states.erase(std::unique(states.begin(), states.end()), states.end());
  if (states.empty()) return kEmpty;
  if (states.size() == 1) return states[0];
  std::vector<const StateMap*>& lookup = scratch_key_;
  lookup.clear();
  for (const SharedState& s : states)
    lookup.push_back(s.get());
  if (const auto it = memo_.find(lookup); it != memo_.end()) {
    ++remembered_;
    return it->second;
  }
  std::vector<const StateMap*> key = lookup;
  ++resolutions_;
  StateMap resolved = resolver_.resolve(key, options_);
  SharedState result;
  for (const SharedState& s : states) {
    if (*s == resolved) {
      result = s;
      break;
    }
  }
  if (!result) result = std::make_shared<const StateMap>(std::move(resolved));
  if (memo_.size() >= kMemoSize) {
    memo_.erase(memo_order_.front());
    memo_order_.pop_front();
  }
  memo_.emplace(key, result);
  memo_order_.push_back(std::move(key));
  return result;
}

void StateHistory::compute_up_to(EventIndex e) {
  // Parents precede children in the store, so filling in index order has every prev state ready.
  std::vector<SharedState> prev_states;
  while (after_.size() <= e) {
    const auto i = static_cast<EventIndex>(after_.size());
    const Event& event = store_[i];
    prev_states.clear();
    for (const EventIndex p : event.prev_events)
      prev_states.push_back(after_[p]);
    SharedState before = resolve_distinct(prev_states);
    SharedState after = before;
    if (event.key != kNoStateKey) {
      auto changed = std::make_shared<StateMap>(*before);
      state_set(*changed, event.key, i);
      after = std::move(changed);
    }
    before_.push_back(std::move(before));
    after_.push_back(std::move(after));
  }
}

}  // namespace dmlssim::models::matrix
