// The room state before and after each event of an EventStore (rooms/v2 "State resolution":
// S(E) resolves the states after E's prev_events in one n-way call; S'(E) adds E if it is a state
// event). These states depend only on the DAG, so one StateHistory serves every server of a
// simulation. States are shared: an event that does not change the state shares its parent's map.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "models/matrix/state_resolution.hpp"

namespace dmlssim::models::matrix {

using SharedState = std::shared_ptr<const StateMap>;

class StateHistory {
 public:
  explicit StateHistory(const EventStore& store, ResolutionOptions options = {});

  const StateMap& state_before(EventIndex e) { return *shared_state_before(e); }
  const StateMap& state_after(EventIndex e) { return *shared_state_after(e); }
  SharedState shared_state_before(EventIndex e);
  SharedState shared_state_after(EventIndex e);

  // The resolution of the states after `events` (one n-way call; one event: its state after).
  StateMap state_after_all(std::span<const EventIndex> events, ResolutionStats* stats = nullptr);
  // The same, shared, and remembered for the last kMemoSize distinct sets of events: the servers
  // of a room resolve the same forward extremities over and over. `events` must be sorted.
  SharedState shared_state_after_all(std::span<const EventIndex> events);
  static constexpr std::size_t kMemoSize = 4096;

  StateResolver& resolver() { return resolver_; }
  const ResolutionOptions& options() const { return options_; }

 private:
  void compute_up_to(EventIndex e);

  const EventStore& store_;
  ResolutionOptions options_;
  StateResolver resolver_;
  std::vector<SharedState> before_, after_;  // indexed by EventIndex, filled in index order
  std::map<std::vector<EventIndex>, SharedState> memo_;
  std::deque<std::vector<EventIndex>> memo_order_;  // oldest first, for eviction
};

}  // namespace dmlssim::models::matrix
