// The receiving side of Federation: inbound PDUs one at a time per room, gap filling (missing
// events, state, backfill), admission with the checks on receipt, crashes and restarts, and the
// walks a server makes to answer get_missing_events and backfill. See federation.hpp.
#include <algorithm>
#include <queue>

#include "models/matrix/auth_rules.hpp"
#include "models/matrix/federation.hpp"

namespace dmlssim::models::matrix {

// ---------------------------------------------------------------------------------------------
// Receiving side

void Federation::schedule_inbound(sim::NodeId s) {
  Server& srv = server(s);
  if (srv.inbound_scheduled || srv.inbound.empty() || srv.inbound.front().started) return;
  srv.inbound_scheduled = true;
  sim_.schedule(config_.pdu_processing, [this, s, generation = srv.generation] {
    if (server(s).generation != generation) return;
    server(s).inbound_scheduled = false;
    process_inbound(s);
  });
}

bool Federation::prevs_in_dag(const Server& s, EventIndex e) const {
  for (const EventIndex p : room_.store()[e].prev_events) {
    if (s.status[p] < EventStatus::kAccepted) return false;
  }
  return true;
}

void Federation::process_inbound(sim::NodeId s) {
  Server& srv = server(s);
  grow(srv);
  if (srv.inbound.empty()) return;
  Inbound& in = srv.inbound.front();
  in.started = true;
  if (srv.status[in.event] >= EventStatus::kAccepted) return finish_inbound(s);
  // Events pulled by get_missing_events, oldest first.
  while (in.next_pulled < in.pulled.size()) {
    const EventIndex x = in.pulled[in.next_pulled];
    if (srv.status[x] >= EventStatus::kAccepted) {
      ++in.next_pulled;
    } else if (prevs_in_dag(srv, x)) {
      admit(s, x, Arrival::kPulled);
      ++in.next_pulled;
    } else if (in.state_fetched_for == x) {
      srv.backfill_peer = in.origin;
      admit(s, x, Arrival::kAfterStateFetch);
      ++in.next_pulled;
    } else {
      return fetch_state_for(s, x, in.origin);
    }
  }
  const EventIndex e = in.event;
  if (prevs_in_dag(srv, e)) {
    admit(s, e, Arrival::kPushed);
    return finish_inbound(s);
  }
  if (!in.asked_missing) {
    in.asked_missing = true;
    std::vector<EventIndex> earliest = srv.extremities;
    open_request(RequestKind::kMissingEvents, s, in.origin, {e}, std::move(earliest));
    return;
  }
  if (in.state_fetched_for == e) {
    srv.backfill_peer = in.origin;
    admit(s, e, Arrival::kAfterStateFetch);
    return finish_inbound(s);
  }
  fetch_state_for(s, e, in.origin);
}

void Federation::fetch_state_for(sim::NodeId s, EventIndex e, sim::NodeId from) {
  const Server& srv = server(s);
  std::vector<EventIndex> missing;
  for (const EventIndex p : room_.store()[e].prev_events) {
    if (srv.status[p] < EventStatus::kAccepted) missing.push_back(p);
  }
  open_request(RequestKind::kStateIds, s, from, std::move(missing), {e});
}

void Federation::finish_inbound(sim::NodeId s) {
  Server& srv = server(s);
  const Inbound in = srv.inbound.front();
  srv.inbound.pop_front();
  if (in.transaction != UINT32_MAX) {
    Request& txn = requests_[in.transaction];
    if (txn.open && txn.serial == in.transaction_serial && --txn.unfinished == 0) {
      respond(in.transaction, 0);
    }
  }
  schedule_inbound(s);
}

void Federation::admit(sim::NodeId s, EventIndex e, Arrival arrival) {
  Server& srv = server(s);
  grow(srv);
  const EventStore& store = room_.store();
  const Event& event = store[e];
  EventStatus verdict = EventStatus::kAccepted;
  const AuthState own = auth_state_from_auth_events(store, event);
  const StateMap& before = room_.history().state_before(e);
  if (!check_auth_events(store, event) || !check_auth_rules(store, event, own)) {
    verdict = EventStatus::kRejected;
  } else if (!check_auth_rules(store, event, auth_state_from(store, event, [&](StateKeyId k) {
                                 return state_lookup(before, k);
                               }))) {
    verdict = EventStatus::kRejected;
  } else if (arrival != Arrival::kLocal && arrival != Arrival::kBackfilled) {
    // Soft-fail check against the current state (Synapse resolves the forward extremities'
    // states together with the state before the event), unless the event sits exactly on them.
    // (The extremities are kept sorted; prev_events are sorted as built, else a sorted copy.)
    bool on_extremities;
    if (std::is_sorted(event.prev_events.begin(), event.prev_events.end())) {
      on_extremities = std::equal(event.prev_events.begin(), event.prev_events.end(),
                                  srv.extremities.begin(), srv.extremities.end());
    } else {
      std::vector<EventIndex> prev = event.prev_events;
      std::sort(prev.begin(), prev.end());
      on_extremities = prev == srv.extremities;
    }
    if (!on_extremities && soft_fails(srv.extremities, e)) verdict = EventStatus::kSoftFailed;
  }
  srv.status[e] = verdict;
  if (verdict == EventStatus::kAccepted) {
    // Forward extremities (Synapse _calculate_new_extremities): accepted events that no accepted
    // event cites. An accepted event citing soft-failed or rejected events also retires their
    // prev events, recursively through such events, so that no extremity dangles behind them.
    std::vector<EventIndex>& walk = scratch_walk_;
    walk.assign(event.prev_events.begin(), event.prev_events.end());
    while (!walk.empty()) {
      const EventIndex p = walk.back();
      walk.pop_back();
      if (srv.cited[p]) continue;
      srv.cited[p] = 1;
      if (srv.status[p] == EventStatus::kSoftFailed || srv.status[p] == EventStatus::kRejected) {
        walk.insert(walk.end(), store[p].prev_events.begin(), store[p].prev_events.end());
      }
    }
    std::vector<EventIndex>& next = scratch_next_;
    next.clear();
    for (const EventIndex x : srv.extremities) {
      if (!srv.cited[x]) next.push_back(x);
    }
    if (!srv.cited[e]) next.push_back(e);
    std::sort(next.begin(), next.end());
    if (next != srv.extremities) {
      srv.extremities.swap(next);
      SharedState state = room_.history().shared_state_after_all(srv.extremities);
      if (state != srv.current) {
        srv.current = std::move(state);
        observer_->on_state_changed(s);
      }
    }
  }
  // An event taken in without its prev events opens a gap; a gap closes once every prev event of
  // the gap event is in the DAG.
  if ((arrival == Arrival::kAfterStateFetch || arrival == Arrival::kBackfilled) &&
      !prevs_in_dag(srv, e)) {
    srv.gaps.push_back(e);
    schedule_backfill(s);
  }
  if (!srv.gaps.empty()) {
    srv.gaps.erase(std::remove_if(srv.gaps.begin(), srv.gaps.end(),
                                  [&](EventIndex g) { return prevs_in_dag(srv, g); }),
                   srv.gaps.end());
  }
  observer_->on_admitted(s, e, verdict, arrival);
}

bool Federation::soft_fails(const std::vector<EventIndex>& extremities, EventIndex e) {
  const EventStore& store = room_.store();
  const SharedState current = room_.history().shared_state_after_all_and_before(extremities, e);
  return !check_auth_rules(store, store[e], auth_state_from(store, store[e], [&](StateKeyId k) {
                             return state_lookup(*current, k);
                           }));
}

void Federation::schedule_backfill(sim::NodeId s) {
  Server& srv = server(s);
  if (srv.backfill_scheduled || srv.backfilling) return;
  srv.backfill_scheduled = true;
  const sim::SimTime delay =
      config_.backfill_delay > sim::SimTime() ? config_.backfill_delay : sim::SimTime();
  sim_.schedule(delay, [this, s, generation = srv.generation] {
    if (server(s).generation != generation) return;
    server(s).backfill_scheduled = false;
    backfill(s);
  });
}

void Federation::backfill(sim::NodeId s) {
  Server& srv = server(s);
  if (srv.gaps.empty() || srv.backfilling || !network_.reachability().is_up(s)) return;
  // Ask for the missing prev events of the gaps from a server that has them: the sender of the
  // gap event if it is not this server, else any reachable in-room server (lowest ID first).
  std::vector<EventIndex> from;
  for (const EventIndex g : srv.gaps) {
    for (const EventIndex p : room_.store()[g].prev_events) {
      if (srv.status[p] < EventStatus::kAccepted) from.push_back(p);
    }
  }
  std::sort(from.begin(), from.end());
  from.erase(std::unique(from.begin(), from.end()), from.end());
  const sim::NodeId peer = srv.backfill_peer;
  if (peer == s) return;
  srv.backfilling = true;
  open_request(RequestKind::kBackfill, s, peer, std::move(from));
}

void Federation::on_crash(sim::NodeId s) {
  Server& srv = server(s);
  ++srv.generation;
  srv.inbound.clear();
  srv.inbound_scheduled = false;
  srv.backfill_scheduled = false;
  srv.backfilling = false;
  srv.wakeup_scheduled = false;
  for (Destination& dest : srv.destinations) {
    // Queued PDUs lived in memory; what was not acknowledged is caught up after the restart.
    if (dest.in_flight || dest.queued() != 0) dest.catching_up = true;
    dest.clear_queued();
    dest.in_flight = false;
    dest.probe_scheduled = false;
  }
}

void Federation::on_restart(sim::NodeId s) {
  // Synapse starts its catch-up wake-up loop with the process, with a first round at once
  // (looping_call_now); the round runs after the restart has taken effect.
  Server& srv = server(s);
  srv.wakeup_anchor = sim_.now();
  srv.wakeup_scheduled = true;
  sim_.schedule(sim::SimTime(), [this, s, generation = srv.generation] {
    if (server(s).generation == generation) start_wakeup_round(s);
  });
  if (!srv.gaps.empty()) schedule_backfill(s);
}

// ---------------------------------------------------------------------------------------------
// Responder-side walks

std::vector<EventIndex> Federation::walk_back(const Server& s, const std::vector<EventIndex>& start,
                                              const std::vector<EventIndex>& blocked,
                                              std::size_t limit) const {
  // Deepest first, never into `blocked`, returning at most `limit` events this server has.
  const EventStore& store = room_.store();
  // Seen marks: an event is seen when its mark equals this walk's number (no clearing per walk).
  if (walk_marks_.size() < store.size()) walk_marks_.resize(store.size() + store.size() / 2, 0);
  if (++walk_number_ == 0) {
    std::fill(walk_marks_.begin(), walk_marks_.end(), 0);
    walk_number_ = 1;
  }
  const std::uint32_t seen = walk_number_;
  for (const EventIndex e : blocked)
    walk_marks_[e] = seen;
  using Item = std::pair<std::int64_t, EventIndex>;  // (depth, index)
  std::priority_queue<Item> queue;
  auto push = [&](EventIndex e) {
    if (walk_marks_[e] == seen) return;
    walk_marks_[e] = seen;
    queue.emplace(store[e].depth, e);
  };
  for (const EventIndex e : start)
    push(e);
  std::vector<EventIndex> out;
  while (!queue.empty() && out.size() < limit) {
    const EventIndex e = queue.top().second;
    queue.pop();
    if (e >= s.status.size() || s.status[e] < EventStatus::kAccepted) continue;
    out.push_back(e);
    for (const EventIndex p : store[e].prev_events)
      push(p);
  }
  return out;
}

std::vector<EventIndex> Federation::missing_events(const Server& s,
                                                   const std::vector<EventIndex>& earliest,
                                                   const std::vector<EventIndex>& latest,
                                                   std::size_t limit) const {
  // Synapse: walk back from the latest events' prev_events, never past (or into) the earliest
  // events.
  std::vector<EventIndex> start;
  for (const EventIndex e : latest) {
    start.insert(start.end(), room_.store()[e].prev_events.begin(),
                 room_.store()[e].prev_events.end());
  }
  std::vector<EventIndex> blocked = earliest;
  blocked.insert(blocked.end(), latest.begin(), latest.end());
  return walk_back(s, start, blocked, limit);
}

std::vector<EventIndex> Federation::backfill_events(const Server& s,
                                                    const std::vector<EventIndex>& from,
                                                    std::size_t limit) const {
  return walk_back(s, from, {}, limit);  // the `from` events themselves included
}
}  // namespace dmlssim::models::matrix
