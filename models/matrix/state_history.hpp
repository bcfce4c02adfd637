// The room state before and after each event of an EventStore (rooms/v2 "State resolution":
// S(E) resolves the states after E's prev_events in one n-way call; S'(E) adds E if it is a state
// event). These states depend only on the DAG, so one StateHistory serves every server of a
// simulation. States are shared: an event that does not change the state shares its parent's map.
//
// Resolutions are remembered by the set of distinct states they resolve (Synapse's state groups),
// not by the events whose states they are: the servers of a room resolve the same few states
// over and over while their forward extremities, mostly message events, keep changing. A state
// resolution's result depends only on the set of its input states (duplicates change nothing),
// so this sharing never changes a result.
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
  // The same, shared and remembered (see above).
  SharedState shared_state_after_all(std::span<const EventIndex> events);
  // The resolution of the states after `events` together with the state before `also` (Synapse's
  // soft-fail check resolves a server's extremities with the state before the received event).
  SharedState shared_state_after_all_and_before(std::span<const EventIndex> events,
                                                EventIndex also);
  // Distinct sets of states remembered; the oldest is forgotten first beyond this.
  static constexpr std::size_t kMemoSize = 4096;

  // Resolutions computed, and those answered from memory (for benchmarks and tests).
  std::uint64_t resolutions() const { return resolutions_; }
  std::uint64_t remembered_resolutions() const { return remembered_; }

  StateResolver& resolver() { return resolver_; }
  const ResolutionOptions& options() const { return options_; }

 private:
  void compute_up_to(EventIndex e);
  // The resolution of `states`, each one held in before_ or after_ (so that no address in a
  // remembered key is ever reused); sorts and dedupes `states` in place. When the result equals
  // one of the inputs, that input is returned, so equal states tend to share one map.
  SharedState resolve_distinct(std::vector<SharedState>& states);

  const EventStore& store_;
  ResolutionOptions options_;
  StateResolver resolver_;
  std::vector<SharedState> before_, after_;  // indexed by EventIndex, filled in index order
  // Inputs sorted by address (the order only serves look-ups; results do not depend on it).
  std::map<std::vector<const StateMap*>, SharedState> memo_;
  std::deque<std::vector<const StateMap*>> memo_order_;  // oldest first, for eviction
  std::uint64_t resolutions_ = 0, remembered_ = 0;
  // Reused between calls (neither function is re-entered while it uses them).
  std::vector<SharedState> scratch_states_;
  std::vector<const StateMap*> scratch_key_;
};

}  // namespace dmlssim::models::matrix
