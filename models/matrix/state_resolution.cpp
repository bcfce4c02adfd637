#include "models/matrix/state_resolution.hpp"

#include <algorithm>
#include <limits>
#include <queue>

#include "models/matrix/auth_rules.hpp"

namespace dmlssim::models::matrix {
namespace {

constexpr std::uint32_t kInfinitePosition = std::numeric_limits<std::uint32_t>::max();

}  // namespace

StateResolver::StateResolver(const EventStore& store) : store_(store) {}

void StateResolver::grow() {
  if (mark_a_.size() < store_.size()) {
    const std::size_t n = store_.size() + store_.size() / 2 + 16;
    mark_a_.resize(n, 0);
    mark_b_.resize(n, 0);
    mark_c_.resize(n, 0);
    number_.resize(n, 0);
    reach_.resize(n, 0);
    pass_.resize(n, 0);
  }
  if (r_event_.size() < store_.key_count()) {
    const std::size_t n = store_.key_count() + store_.key_count() / 2 + 16;
    r_event_.resize(n, kNoEvent);
    r_mark_.resize(n, 0);
  }
}

std::uint32_t StateResolver::next_mark() {
  if (++mark_counter_ == 0) {  // wrapped: forget every old mark
    std::fill(mark_a_.begin(), mark_a_.end(), 0);
    std::fill(mark_b_.begin(), mark_b_.end(), 0);
    std::fill(mark_c_.begin(), mark_c_.end(), 0);
    mark_counter_ = 1;
  }
  return mark_counter_;
}

std::uint32_t StateResolver::next_state_mark() {
  if (++r_counter_ == 0) {
    std::fill(r_mark_.begin(), r_mark_.end(), 0);
    r_counter_ = 1;
  }
  r_keys_.clear();
  return r_counter_;
}

EventIndex StateResolver::power_levels_auth_event(const Event& e) const {
  for (const EventIndex a : e.auth_events) {
    if (store_[a].key == store_.power_levels_key()) return a;
  }
  return kNoEvent;
}

std::vector<EventIndex> StateResolver::auth_difference(
    std::span<const std::vector<EventIndex>> sets, bool include_self) {
  if (sets.empty()) return {};
  if (sets.size() > 64) return auth_difference_by_counting(sets, include_self);
  grow();
  // Walk back from every set at once in descending index order (children before parents), each
  // event carrying the mask of sets whose chain holds it (`reach`) and the mask it passes to its
  // parents (`pass`: reach plus the sets it seeds). Popped in that order, an event's masks are
  // final. An event is settled when it passes all sets and is reached by none or all: whatever
  // still reaches it passes all sets, so it ends reached by none or all, out of the difference,
  // and so does everything above it. Once every queued event is settled the walk stops, so it
  // costs the region where the sets' chains differ, not the room's whole auth history.
  const std::uint64_t all =
      sets.size() == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << sets.size()) - 1;
  const std::uint32_t queued = next_mark();  // mark_a_: in the queue or done
  std::priority_queue<EventIndex> queue;
  std::size_t unsettled = 0;
  auto settled = [&](EventIndex x) {
    return pass_[x] == all && (reach_[x] == 0 || reach_[x] == all);
  };
  auto add = [&](EventIndex x, std::uint64_t reach, std::uint64_t pass) {
    if (mark_a_[x] != queued) {
      mark_a_[x] = queued;
      reach_[x] = 0;
      pass_[x] = 0;
      queue.push(x);
      ++unsettled;
    }
    const bool was = settled(x);
    reach_[x] |= reach;
    pass_[x] |= pass;
    const bool now = settled(x);
    if (was && !now) ++unsettled;
    if (!was && now) --unsettled;
  };
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const std::uint64_t bit = std::uint64_t{1} << i;
    for (const EventIndex e : sets[i])
      add(e, include_self ? bit : 0, bit);
  }
  std::vector<EventIndex> out;
  while (!queue.empty() && unsettled > 0) {
    const EventIndex x = queue.top();
    queue.pop();
    if (!settled(x)) --unsettled;
    if (reach_[x] != 0 && reach_[x] != all) out.push_back(x);
    const std::uint64_t pass = pass_[x];
    for (const EventIndex a : store_.auth_parents(x))
      add(a, pass, pass);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<EventIndex> StateResolver::auth_difference_by_counting(
    std::span<const std::vector<EventIndex>> sets, bool include_self) {
  grow();
  const std::uint32_t seen_any = next_mark();  // mark_b_: in some chain; number_: chain count
  std::vector<EventIndex> union_list;
  for (const std::vector<EventIndex>& set : sets) {
    const std::uint32_t seen = next_mark();  // mark_a_: in this set's chain
    stack_.clear();
    auto visit = [&](EventIndex x) {
      if (mark_a_[x] == seen) return;
      mark_a_[x] = seen;
      if (mark_b_[x] != seen_any) {
        mark_b_[x] = seen_any;
        number_[x] = 0;
        union_list.push_back(x);
      }
      ++number_[x];
      stack_.push_back(x);
    };
    for (const EventIndex e : set) {
      if (include_self) {
        visit(e);
      } else {
        for (const EventIndex a : store_.auth_parents(e))
          visit(a);
      }
    }
    while (!stack_.empty()) {
      const EventIndex x = stack_.back();
      stack_.pop_back();
      for (const EventIndex a : store_.auth_parents(x))
        visit(a);
    }
  }
  std::vector<EventIndex> out;
  for (const EventIndex x : union_list) {
    if (number_[x] < sets.size()) out.push_back(x);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<EventIndex> StateResolver::conflicted_subgraph(std::span<const EventIndex> conflicted) {
  grow();
  const std::uint32_t in_c = next_mark();      // mark_a_: conflicted
  const std::uint32_t ancestor = next_mark();  // mark_b_: ancestor-or-self of a conflicted event
  const std::uint32_t decided = next_mark();   // mark_c_: number_ holds "descends from C" (0/1)
  stack_.clear();
  std::vector<EventIndex> ancestors;
  // A descendant of a conflicted event has a larger index than it, so nothing below the smallest
  // conflicted index can be on a path between two of them: the walk stops there.
  EventIndex lowest = kNoEvent;
  for (const EventIndex c : conflicted)
    lowest = std::min(lowest, c);
  for (const EventIndex c : conflicted) {
    mark_a_[c] = in_c;
    if (mark_b_[c] != ancestor) {
      mark_b_[c] = ancestor;
      ancestors.push_back(c);
      stack_.push_back(c);
    }
  }
  while (!stack_.empty()) {
    const EventIndex x = stack_.back();
    stack_.pop_back();
    for (const EventIndex a : store_.auth_parents(x)) {
      if (a < lowest) continue;
      if (mark_b_[a] != ancestor) {
        mark_b_[a] = ancestor;
        ancestors.push_back(a);
        stack_.push_back(a);
      }
    }
  }
  // Parents have smaller indices, so deciding in ascending order sees every parent decided.
  std::sort(ancestors.begin(), ancestors.end());
  std::vector<EventIndex> out;
  for (const EventIndex x : ancestors) {
    bool descends = mark_a_[x] == in_c;
    for (const EventIndex a : store_.auth_parents(x)) {
      if (descends) break;
      descends = mark_c_[a] == decided && number_[a] == 1;
    }
    mark_c_[x] = decided;
    number_[x] = descends ? 1 : 0;
    if (descends) out.push_back(x);
  }
  return out;
}

void StateResolver::x_parents(EventIndex e, std::uint32_t x_mark, bool direct_only,
                              EventIndex lowest, std::vector<EventIndex>& out) {
  out.clear();
  if (direct_only) {
    for (const EventIndex a : store_.auth_parents(e)) {
      if (mark_c_[a] == x_mark && std::find(out.begin(), out.end(), a) == out.end()) {
        out.push_back(a);
      }
    }
    return;
  }
  // Walk through non-members of X until members are reached (mark_b_ as a per-walk visited set).
  const std::uint32_t visited = next_mark();
  stack_.clear();
  stack_.push_back(e);
  while (!stack_.empty()) {
    const EventIndex x = stack_.back();
    stack_.pop_back();
    for (const EventIndex a : store_.auth_parents(x)) {
      if (a < lowest || mark_b_[a] == visited) continue;
      mark_b_[a] = visited;
      if (mark_c_[a] == x_mark) {
        out.push_back(a);
      } else {
        stack_.push_back(a);
      }
    }
  }
}

std::vector<EventIndex> StateResolver::reverse_topological_power_sort(
    std::span<const EventIndex> events) {
  return power_sort(events, false);
}

std::vector<EventIndex> StateResolver::power_sort(std::span<const EventIndex> events,
                                                  bool direct_edges_suffice) {
  grow();
  const std::uint32_t x_mark = next_mark();  // mark_c_: member of the set being sorted
  for (const EventIndex e : events)
    mark_c_[e] = x_mark;
  // Do all auth paths between members stay inside the set? Then direct edges are enough.
  bool direct_only = true;
  for (const EventIndex e : events) {
    if (direct_edges_suffice) break;
    for (const EventIndex a : store_.auth_parents(e)) {
      if (mark_c_[a] != x_mark) direct_only = false;
    }
  }
  if (!direct_only) {
    // Non-member parents matter only if some member lies above them.
    direct_only = true;
    const std::uint32_t seen = next_mark();
    std::vector<EventIndex> walk;
    EventIndex lowest = kNoEvent;  // no member lies below the smallest member's index
    for (const EventIndex e : events)
      lowest = std::min(lowest, e);
    for (const EventIndex e : events) {
      for (const EventIndex a : store_.auth_parents(e)) {
        if (a >= lowest && mark_c_[a] != x_mark && mark_a_[a] != seen) {
          mark_a_[a] = seen;
          walk.push_back(a);
        }
      }
    }
    while (!walk.empty() && direct_only) {
      const EventIndex x = walk.back();
      walk.pop_back();
      for (const EventIndex a : store_.auth_parents(x)) {
        if (mark_c_[a] == x_mark) {
          direct_only = false;
          break;
        }
        if (a >= lowest && mark_a_[a] != seen) {
          mark_a_[a] = seen;
          walk.push_back(a);
        }
      }
    }
  }
  // Kahn's algorithm: number_ counts unfinished parents; children in CSR form.
  std::vector<std::uint32_t> child_start(events.size() + 1, 0);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;  // (parent slot, child slot)
  std::vector<EventIndex> sorted_events(events.begin(), events.end());
  std::sort(sorted_events.begin(), sorted_events.end());
  sorted_events.erase(std::unique(sorted_events.begin(), sorted_events.end()), sorted_events.end());
  auto slot_of = [&](EventIndex e) {
    return static_cast<std::uint32_t>(
        std::lower_bound(sorted_events.begin(), sorted_events.end(), e) - sorted_events.begin());
  };
  std::vector<EventIndex> parents;
  std::vector<std::uint32_t> pending(sorted_events.size(), 0);
  for (std::uint32_t s = 0; s < sorted_events.size(); ++s) {
    x_parents(sorted_events[s], x_mark, direct_only, sorted_events.front(), parents);
    pending[s] = static_cast<std::uint32_t>(parents.size());
    for (const EventIndex p : parents)
      edges.emplace_back(slot_of(p), s);
  }
  for (const auto& edge : edges)
    ++child_start[edge.first + 1];
  for (std::size_t i = 1; i < child_start.size(); ++i)
    child_start[i] += child_start[i - 1];
  std::vector<std::uint32_t> children(edges.size());
  {
    std::vector<std::uint32_t> fill(child_start.begin(), child_start.end() - 1);
    for (const auto& edge : edges)
      children[fill[edge.first]++] = edge.second;
  }
  const auto later = [&](std::uint32_t a, std::uint32_t b) {  // heap order: smallest on top
    const Event& x = store_[sorted_events[a]];
    const Event& y = store_[sorted_events[b]];
    if (x.sender_power_for_sort != y.sender_power_for_sort) {
      return x.sender_power_for_sort < y.sender_power_for_sort;
    }
    if (x.origin_server_ts != y.origin_server_ts) return x.origin_server_ts > y.origin_server_ts;
    return x.event_id > y.event_id;
  };
  std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, decltype(later)> ready(later);
  for (std::uint32_t s = 0; s < sorted_events.size(); ++s) {
    if (pending[s] == 0) ready.push(s);
  }
  std::vector<EventIndex> out;
  out.reserve(sorted_events.size());
  while (!ready.empty()) {
    const std::uint32_t s = ready.top();
    ready.pop();
    out.push_back(sorted_events[s]);
    for (std::uint32_t i = child_start[s]; i < child_start[s + 1]; ++i) {
      if (--pending[children[i]] == 0) ready.push(children[i]);
    }
  }
  return out;
}

std::vector<EventIndex> StateResolver::mainline_sort(std::span<const EventIndex> events,
                                                     EventIndex power_levels) {
  grow();
  // mark_a_/number_: position of a power-levels event walking from it (itself included);
  // memoised for every power-levels event visited.
  const std::uint32_t known = next_mark();
  std::uint32_t depth = 0;
  for (EventIndex p = power_levels; p != kNoEvent; p = power_levels_auth_event(store_[p])) {
    if (mark_a_[p] == known) break;  // a cycle cannot occur in a stored DAG; stay safe anyway
    mark_a_[p] = known;
    number_[p] = depth++;
  }
  std::vector<EventIndex> path;
  auto position_from = [&](EventIndex first) -> std::uint32_t {
    path.clear();
    EventIndex p = first;
    while (p != kNoEvent && mark_a_[p] != known) {
      path.push_back(p);
      p = power_levels_auth_event(store_[p]);
    }
    const std::uint32_t position = p == kNoEvent ? kInfinitePosition : number_[p];
    for (const EventIndex q : path) {
      mark_a_[q] = known;
      number_[q] = position;
    }
    return position;
  };
  struct Keyed {
    std::uint32_t position;
    EventIndex event;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(events.size());
  for (const EventIndex e : events) {
    keyed.push_back(Keyed{position_from(power_levels_auth_event(store_[e])), e});
  }
  std::sort(keyed.begin(), keyed.end(), [&](const Keyed& a, const Keyed& b) {
    if (a.position != b.position) return a.position > b.position;  // older mainline first
    const Event& x = store_[a.event];
    const Event& y = store_[b.event];
    if (x.origin_server_ts != y.origin_server_ts) return x.origin_server_ts < y.origin_server_ts;
    return x.event_id < y.event_id;
  });
  std::vector<EventIndex> out;
  out.reserve(keyed.size());
  for (const Keyed& k : keyed)
    out.push_back(k.event);
  return out;
}

void StateResolver::iterative_auth_checks(std::span<const EventIndex> events,
                                          RejectedEventPolicy policy) {
  for (const EventIndex i : events) {
    const Event& e = store_[i];
    if (e.key == kNoStateKey) continue;
    if (e.rejected && policy == RejectedEventPolicy::kSkip) continue;
    AuthState state = auth_state_from_auth_events(store_, e);
    const AuthKeys keys = auth_keys_for(store_, e);
    for (std::size_t k = 0; k < keys.count; ++k) {
      const StateKeyId key = keys.keys[k];
      if (r_mark_[key] == r_counter_) assign_auth_slot(store_, e, key, r_event_[key], state);
    }
    if (!check_auth_rules(store_, e, state)) continue;
    if (r_mark_[e.key] != r_counter_) {
      r_mark_[e.key] = r_counter_;
      r_keys_.push_back(e.key);
    }
    r_event_[e.key] = i;
  }
}

StateMap StateResolver::resolve(std::span<const StateMap* const> states,
                                const ResolutionOptions& options, ResolutionStats* stats) {
  if (stats != nullptr) *stats = ResolutionStats{};
  if (states.empty()) return {};
  grow();
  const std::size_t n = states.size();
  // 1. Unconflicted state map and conflicted state set, by an n-way merge of the sorted maps.
  StateMap unconflicted;
  std::vector<EventIndex> conflicted;
  std::vector<std::size_t> at(n, 0);
  const std::uint32_t in_conflicted = next_mark();  // mark_a_
  while (true) {
    StateKeyId key = kNoStateKey;
    for (std::size_t s = 0; s < n; ++s) {
      if (at[s] < states[s]->size()) key = std::min(key, (*states[s])[at[s]].key);
    }
    if (key == kNoStateKey) break;
    EventIndex first = kNoEvent;
    bool same = true;
    for (std::size_t s = 0; s < n; ++s) {
      const bool has = at[s] < states[s]->size() && (*states[s])[at[s]].key == key;
      const EventIndex v = has ? (*states[s])[at[s]].event : kNoEvent;
      if (s == 0) first = v;
      same = same && v == first && v != kNoEvent;
      if (has) ++at[s];
      if (v != kNoEvent && mark_a_[v] != in_conflicted) {
        mark_a_[v] = in_conflicted;
        conflicted.push_back(v);
      }
    }
    if (same) {
      unconflicted.push_back(StateEntry{key, first});
      mark_a_[first] = 0;  // not conflicted after all
      conflicted.pop_back();
    }
  }
  if (conflicted.empty()) return unconflicted;
  const StateResAlgorithm algorithm = options.algorithm.value_or(store_.version().state_res);

  // 2. Full conflicted set: conflicted ∪ auth difference (∪ conflicted subgraph under v2.1).
  std::vector<std::vector<EventIndex>> sets(n);
  for (std::size_t s = 0; s < n; ++s) {
    sets[s].reserve(states[s]->size());
    for (const StateEntry& entry : *states[s])
      sets[s].push_back(entry.event);
  }
  const std::vector<EventIndex> difference =
      auth_difference(sets, options.auth_chain == AuthChainConvention::kIncludeSelf);
  std::vector<EventIndex> subgraph;
  if (algorithm == StateResAlgorithm::kV2_1) subgraph = conflicted_subgraph(conflicted);
  std::vector<EventIndex> full;
  full.reserve(conflicted.size() + difference.size() + subgraph.size());
  const std::uint32_t in_full = next_mark();  // mark_b_
  const std::vector<EventIndex>* parts[] = {&conflicted, &difference, &subgraph};
  for (const std::vector<EventIndex>* part : parts) {
    for (const EventIndex e : *part) {
      if (mark_b_[e] != in_full) {
        mark_b_[e] = in_full;
        full.push_back(e);
      }
    }
  }

  // 3. X: the power events with their auth ancestors in the full conflicted set.
  const std::uint32_t in_x = next_mark();  // mark_c_ (the sort reuses mark_c_ after this)
  std::vector<EventIndex> x;
  stack_.clear();
  for (const EventIndex e : full) {
    if (store_[e].is_power_event) {
      mark_c_[e] = in_x;
      x.push_back(e);
      stack_.push_back(e);
    }
  }
  {
    const std::uint32_t walked = next_mark();  // mark_a_ (conflicted marks are no longer needed)
    const bool through_any = options.power_closure == PowerClosure::kAuthChain;
    // No member of the full conflicted set lies above (below in index) its smallest member.
    EventIndex lowest = kNoEvent;
    for (const EventIndex e : full)
      lowest = std::min(lowest, e);
    while (!stack_.empty()) {
      const EventIndex e = stack_.back();
      stack_.pop_back();
      for (const EventIndex a : store_.auth_parents(e)) {
        if (a < lowest || mark_a_[a] == walked || mark_c_[a] == in_x) continue;
        const bool member = mark_b_[a] == in_full;
        if (!member && !through_any) continue;
        mark_a_[a] = walked;
        if (member) {
          mark_c_[a] = in_x;
          x.push_back(a);
        }
        stack_.push_back(a);
      }
    }
  }
  std::vector<EventIndex> leftover;
  for (const EventIndex e : full) {
    if (mark_c_[e] != in_x) leftover.push_back(e);
  }
  // Under v2.1 no auth path between members of X leaves the full conflicted set (the conflicted
  // subgraph holds every such path), and the Synapse closure only ever follows direct edges.
  const std::vector<EventIndex> power_order =
      power_sort(x, algorithm == StateResAlgorithm::kV2_1 ||
                        options.power_closure == PowerClosure::kConflictedPaths);

  // 4. Iterative auth checks over X, from the unconflicted map (v2) or the empty map (v2.1).
  next_state_mark();
  if (algorithm == StateResAlgorithm::kV2) {
    for (const StateEntry& entry : unconflicted) {
      r_mark_[entry.key] = r_counter_;
      r_event_[entry.key] = entry.event;
      r_keys_.push_back(entry.key);
    }
  }
  iterative_auth_checks(power_order, options.rejected);

  // 5. The rest in mainline order of the resolved power levels, checked on top.
  const StateKeyId pl_key = store_.power_levels_key();
  const EventIndex resolved_power = r_mark_[pl_key] == r_counter_ ? r_event_[pl_key] : kNoEvent;
  const std::vector<EventIndex> mainline_order = mainline_sort(leftover, resolved_power);
  iterative_auth_checks(mainline_order, options.rejected);

  // 6. The unconflicted map wins over whatever the passes produced.
  for (const StateEntry& entry : unconflicted) {
    if (r_mark_[entry.key] != r_counter_) {
      r_mark_[entry.key] = r_counter_;
      r_keys_.push_back(entry.key);
    }
    r_event_[entry.key] = entry.event;
  }
  StateMap result;
  result.reserve(r_keys_.size());
  for (const StateKeyId key : r_keys_)
    result.push_back(StateEntry{key, r_event_[key]});
  std::sort(result.begin(), result.end(),
            [](const StateEntry& a, const StateEntry& b) { return a.key < b.key; });
  if (stats != nullptr) {
    stats->conflicted = conflicted.size();
    stats->auth_difference = difference.size();
    stats->subgraph = subgraph.size();
    stats->full_conflicted = full.size();
    stats->power_sorted = power_order.size();
    stats->mainline_sorted = mainline_order.size();
  }
  return result;
}

}  // namespace dmlssim::models::matrix
