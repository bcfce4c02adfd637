// State resolution v2 (rooms v2-v11) and v2.1 (room v12), as rooms/v2 and rooms/v12 define them
// ("State resolution"); ../shared/reference/stateres.md restates the algorithm with its sources.
//
// A StateResolver works on one EventStore and keeps scratch space sized to it, so a resolution
// costs time in proportion to the events it touches, not to the size of the room. It never
// allocates per event visited once its scratch space has grown. Not thread-safe; one per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "models/matrix/event_store.hpp"
#include "models/matrix/state_map.hpp"

namespace dmlssim::models::matrix {

// Events carrying Event::rejected in the iterative auth checks.
enum class RejectedEventPolicy {
  kReauthorise,  // spec: authorised again like any other event
  kSkip,         // Synapse (matrix-org/synapse#13797): never applied
};

// Which events of the full conflicted set join the power events in the first pass.
enum class PowerClosure {
  kAuthChain,  // spec: the auth chain of each power event, intersected with the full conflicted set
  kConflictedPaths,  // Synapse, ruma: only ancestors reached through full-conflicted-set events
};
// The two agree whenever no auth path leaves the full conflicted set and re-enters it, which under
// v2.1 is always (the conflicted subgraph closes such paths); they can differ under v2.

// Whether a state set's auth chain, for the auth difference, holds the set's own events.
enum class AuthChainConvention {
  kExcludeSelf,  // spec: the auth chain of E is everything reachable from E, E excluded
  kIncludeSelf,  // Synapse: its stores count the given events as part of their chains
};
// The two differ only for an unconflicted state event that some events of one set (but none of
// another) have in their auth chains: the spec puts it in the auth difference, Synapse does not.

struct ResolutionOptions {
  std::optional<StateResAlgorithm> algorithm;  // default: the room version's
  RejectedEventPolicy rejected = RejectedEventPolicy::kReauthorise;
  PowerClosure power_closure = PowerClosure::kAuthChain;
  AuthChainConvention auth_chain = AuthChainConvention::kExcludeSelf;

  // Synapse's choices on all three points.
  static ResolutionOptions synapse() {
    return {std::nullopt, RejectedEventPolicy::kSkip, PowerClosure::kConflictedPaths,
            AuthChainConvention::kIncludeSelf};
  }
};

// Sizes of the sets one resolution built (for metrics and tests).
struct ResolutionStats {
  std::size_t conflicted = 0;       // conflicted state set
  std::size_t auth_difference = 0;  // auth difference (spec definition: events exclude themselves)
  std::size_t subgraph = 0;         // v2.1 conflicted state subgraph
  std::size_t full_conflicted = 0;
  std::size_t power_sorted = 0;     // events in the first (power) pass
  std::size_t mainline_sorted = 0;  // events in the second (mainline) pass
};

class StateResolver {
 public:
  explicit StateResolver(const EventStore& store);

  // The resolution of all `states` at once (n-way). The result does not depend on their order.
  StateMap resolve(std::span<const StateMap* const> states, const ResolutionOptions& options = {},
                   ResolutionStats* stats = nullptr);

  // --- the algorithm's pieces, public for tests and tools ---

  // ∪Ci − ∩Ci over the auth chains Ci of the event sets; `include_self` also counts each event
  // of a set as part of that set's chain (Synapse's convention).
  std::vector<EventIndex> auth_difference(std::span<const std::vector<EventIndex>> sets,
                                          bool include_self);
  // Events on an auth_events path between two events of `conflicted` (endpoints included).
  std::vector<EventIndex> conflicted_subgraph(std::span<const EventIndex> conflicted);
  // Kahn's algorithm over the auth DAG restricted to `events` (ancestry through other events
  // counts as an edge), smallest ready event first by (sender power desc, ts, event_id).
  std::vector<EventIndex> reverse_topological_power_sort(std::span<const EventIndex> events);
  // `events` by mainline position based on `power_levels` (kNoEvent: empty mainline), then ts, id.
  std::vector<EventIndex> mainline_sort(std::span<const EventIndex> events,
                                        EventIndex power_levels);

 private:
  // direct_edges_suffice: the caller knows no auth path between members passes outside them.
  std::vector<EventIndex> power_sort(std::span<const EventIndex> events, bool direct_edges_suffice);
  // auth_difference for any number of sets: one walk per set over its whole chain.
  std::vector<EventIndex> auth_difference_by_counting(std::span<const std::vector<EventIndex>> sets,
                                                      bool include_self);
  void grow();
  std::uint32_t next_mark();
  std::uint32_t next_state_mark();
  EventIndex power_levels_auth_event(const Event& e) const;
  // Nearest members of X (marked with x_mark) among e's auth ancestors. Members all have indices
  // >= lowest, so the walk never goes below it.
  void x_parents(EventIndex e, std::uint32_t x_mark, bool direct_only, EventIndex lowest,
                 std::vector<EventIndex>& out);
  void iterative_auth_checks(std::span<const EventIndex> events, RejectedEventPolicy policy);

  const EventStore& store_;
  // Per event: a mark (== the current mark value means "in the set being built") and a number.
  std::vector<std::uint32_t> mark_a_, mark_b_, mark_c_, number_;
  std::vector<std::uint64_t> reach_, pass_;  // auth_difference: masks of sets
  std::uint32_t mark_counter_ = 0;
  // Per state key: the partial state R of the iterative auth checks.
  std::vector<EventIndex> r_event_;
  std::vector<std::uint32_t> r_mark_;
  std::uint32_t r_counter_ = 0;
  std::vector<StateKeyId> r_keys_;  // keys set in R
  std::vector<EventIndex> stack_, list_;
};

}  // namespace dmlssim::models::matrix
