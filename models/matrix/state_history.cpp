#include "models/matrix/state_history.hpp"

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
  std::vector<EventIndex> key(events.begin(), events.end());
  if (const auto it = memo_.find(key); it != memo_.end()) return it->second;
  SharedState state = std::make_shared<const StateMap>(state_after_all(events));
  if (memo_.size() >= kMemoSize) {
    memo_.erase(memo_order_.front());
    memo_order_.pop_front();
  }
  memo_.emplace(key, state);
  memo_order_.push_back(std::move(key));
  return state;
}

void StateHistory::compute_up_to(EventIndex e) {
  static const SharedState kEmpty = std::make_shared<const StateMap>();
  // Parents precede children in the store, so filling in index order has every prev state ready.
  while (after_.size() <= e) {
    const auto i = static_cast<EventIndex>(after_.size());
    const Event& event = store_[i];
    SharedState before;
    if (event.prev_events.empty()) {
      before = kEmpty;
    } else if (event.prev_events.size() == 1) {
      before = after_[event.prev_events[0]];
    } else {
      std::vector<const StateMap*> states;
      for (const EventIndex p : event.prev_events)
        states.push_back(after_[p].get());
      before = std::make_shared<const StateMap>(resolver_.resolve(states, options_));
    }
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
