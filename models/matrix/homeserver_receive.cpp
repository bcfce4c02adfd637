// The receiving side of a Homeserver: inbound PDUs one at a time, gap filling (missing events,
// state, backfill), admission with the checks on receipt, crashes and restarts. See
// homeserver.hpp.
#include <algorithm>
#include <queue>

#include "models/matrix/auth_rules.hpp"
#include "models/matrix/federation.hpp"
#include "models/matrix/homeserver.hpp"

namespace dmlssim::models::matrix {

void Homeserver::schedule_inbound() {
  if (inbound_scheduled_ || inbound_.empty() || inbound_.front().started) return;
  inbound_scheduled_ = true;
  after<&Homeserver::inbound_timer>(config().pdu_processing, this);
}

void Homeserver::inbound_timer() {
  inbound_scheduled_ = false;
  process_inbound();
}

bool Homeserver::prevs_in_dag(EventIndex e) const {
  for (const EventIndex p : room().store()[e].prev_events) {
    if (status(p) < EventStatus::kAccepted) return false;
  }
  return true;
}

void Homeserver::process_inbound() {
  if (inbound_.empty()) return;
  Inbound& in = inbound_.front();
  in.started = true;
  if (status(in.event) >= EventStatus::kAccepted) return finish_inbound();
  // Events pulled by get_missing_events, oldest first.
  while (in.next_pulled < in.pulled.size()) {
    const EventIndex x = in.pulled[in.next_pulled];
    if (status(x) >= EventStatus::kAccepted) {
      ++in.next_pulled;
    } else if (prevs_in_dag(x)) {
      admit(x, Arrival::kPulled);
      ++in.next_pulled;
    } else if (in.state_fetched_for == x) {
      backfill_peer_ = in.origin;
      admit(x, Arrival::kAfterStateFetch);
      ++in.next_pulled;
    } else {
      return fetch_state_for(x, in.origin);
    }
  }
  const EventIndex e = in.event;
  if (prevs_in_dag(e)) {
    admit(e, Arrival::kPushed);
    return finish_inbound();
  }
  if (!in.asked_missing) {
    in.asked_missing = true;
    request(in.origin, GetMissingEvents{{e}, extremities_, {}});
    return;
  }
  if (in.state_fetched_for == e) {
    backfill_peer_ = in.origin;
    admit(e, Arrival::kAfterStateFetch);
    return finish_inbound();
  }
  fetch_state_for(e, in.origin);
}

void Homeserver::fetch_state_for(EventIndex e, sim::NodeId from) {
  GetStateIds ask;
  for (const EventIndex p : room().store()[e].prev_events) {
    if (status(p) < EventStatus::kAccepted) ask.at.push_back(p);
  }
  ask.for_event = e;
  request(from, std::move(ask));
}

void Homeserver::finish_inbound() {
  const Inbound in = inbound_.front();
  inbound_.pop_front();
  if (in.transaction != UINT32_MAX)
    federation_.transaction_pdu_done(in.transaction, in.transaction_serial);
  schedule_inbound();
}

void Homeserver::admit(EventIndex e, Arrival arrival) {
  RoomWorld& world = room();
  const EventStore& store = world.store();
  const Event& event = store[e];
  EventStatus verdict = EventStatus::kAccepted;
  const AuthState own = auth_state_from_auth_events(store, event);
  const StateMap& before = world.history().state_before(e);
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
                                  extremities_.begin(), extremities_.end());
    } else {
      std::vector<EventIndex> prev = event.prev_events;
      std::sort(prev.begin(), prev.end());
      on_extremities = prev == extremities_;
    }
    if (!on_extremities && soft_fails(e)) verdict = EventStatus::kSoftFailed;
  }
  set_status(e, verdict);
  if (verdict == EventStatus::kAccepted) {
    // Forward extremities (Synapse _calculate_new_extremities): accepted events that no accepted
    // event cites. An accepted event citing soft-failed or rejected events also retires their
    // prev events, recursively through such events, so that no extremity dangles behind them.
    std::vector<EventIndex>& walk = scratch_walk_;
    walk.assign(event.prev_events.begin(), event.prev_events.end());
    while (!walk.empty()) {
      const EventIndex p = walk.back();
      walk.pop_back();
      if (cited(p)) continue;
      set_cited(p);
      if (status(p) == EventStatus::kSoftFailed || status(p) == EventStatus::kRejected) {
        walk.insert(walk.end(), store[p].prev_events.begin(), store[p].prev_events.end());
      }
    }
    std::vector<EventIndex>& next = scratch_next_;
    next.clear();
    for (const EventIndex x : extremities_) {
      if (!cited(x)) next.push_back(x);
    }
    if (!cited(e)) next.push_back(e);
    std::sort(next.begin(), next.end());
    if (next != extremities_) {
      extremities_.swap(next);
      SharedState state = world.history().shared_state_after_all(extremities_);
      if (state != current_) {
        current_ = std::move(state);
        signals().state_changed(node());
      }
    }
  }
  // An event taken in without its prev events opens a gap; a gap closes once every prev event of
  // the gap event is in the DAG.
  if ((arrival == Arrival::kAfterStateFetch || arrival == Arrival::kBackfilled) &&
      !prevs_in_dag(e)) {
    gaps_.push_back(e);
    schedule_backfill();
  }
  if (!gaps_.empty()) {
    gaps_.erase(
        std::remove_if(gaps_.begin(), gaps_.end(), [&](EventIndex g) { return prevs_in_dag(g); }),
        gaps_.end());
  }
  signals().event_admitted(node(), e, verdict, arrival);
}

bool Homeserver::soft_fails(EventIndex e) {
  const EventStore& store = room().store();
  const SharedState current = room().history().shared_state_after_all_and_before(extremities_, e);
  return !check_auth_rules(store, store[e], auth_state_from(store, store[e], [&](StateKeyId k) {
                             return state_lookup(*current, k);
                           }));
}

void Homeserver::schedule_backfill() {
  if (backfill_scheduled_ || backfilling_) return;
  backfill_scheduled_ = true;
  const sim::SimTime delay =
      config().backfill_delay > sim::SimTime() ? config().backfill_delay : sim::SimTime();
  after<&Homeserver::backfill_timer>(delay, this);
}

void Homeserver::backfill_timer() {
  backfill_scheduled_ = false;
  backfill();
}

void Homeserver::backfill() {
  if (gaps_.empty() || backfilling_ || !up()) return;
  // Ask for the missing prev events of the gaps from a server that has them: the sender of the
  // gap event if it is not this server, else any reachable in-room server (lowest ID first).
  Backfill ask;
  for (const EventIndex g : gaps_) {
    for (const EventIndex p : room().store()[g].prev_events) {
      if (status(p) < EventStatus::kAccepted) ask.from.push_back(p);
    }
  }
  std::sort(ask.from.begin(), ask.from.end());
  ask.from.erase(std::unique(ask.from.begin(), ask.from.end()), ask.from.end());
  const sim::NodeId peer = backfill_peer_;
  if (peer == node()) return;
  backfilling_ = true;
  request(peer, std::move(ask));
}

void Homeserver::on_crash() {
  inbound_.clear();
  inbound_scheduled_ = false;
  backfill_scheduled_ = false;
  backfilling_ = false;
  wakeup_scheduled_ = false;
  for (sim::NodeId d = 0; d < destinations_.size(); ++d) {
    Destination& dest = destinations_[d];
    // What was queued lived in memory; what was not acknowledged is caught up after the restart.
    if (dest.in_flight || (!dest.catching_up && has_unsent(d, dest))) dest.catching_up = true;
    dest.in_flight = false;
    dest.probe_scheduled = false;
  }
}

void Homeserver::on_restart() {
  // Synapse starts its catch-up wake-up loop with the process, with a first round at once
  // (looping_call_now); the round runs after the restart has taken effect.
  wakeup_anchor_ = simulation().now();
  wakeup_scheduled_ = true;
  after<&Homeserver::start_wakeup_round>(sim::SimTime(), this);
  if (!gaps_.empty()) schedule_backfill();
}

// ---------------------------------------------------------------------------------------------
// Responder-side walks

std::vector<EventIndex> Homeserver::walk_back(const std::vector<EventIndex>& start,
                                              const std::vector<EventIndex>& blocked,
                                              std::size_t limit) const {
  // Deepest first, never into `blocked`, returning at most `limit` events this server has.
  const EventStore& store = room().store();
  WalkMarks& marks = federation_.walk_marks();
  const std::uint32_t seen = marks.next_walk(store.size());
  for (const EventIndex e : blocked)
    marks.marks[e] = seen;
  using Item = std::pair<std::int64_t, EventIndex>;  // (depth, index)
  std::priority_queue<Item> queue;
  auto push = [&](EventIndex e) {
    if (marks.marks[e] == seen) return;
    marks.marks[e] = seen;
    queue.emplace(store[e].depth, e);
  };
  for (const EventIndex e : start)
    push(e);
  std::vector<EventIndex> out;
  while (!queue.empty() && out.size() < limit) {
    const EventIndex e = queue.top().second;
    queue.pop();
    if (status(e) < EventStatus::kAccepted) continue;
    out.push_back(e);
    for (const EventIndex p : store[e].prev_events)
      push(p);
  }
  return out;
}

}  // namespace dmlssim::models::matrix
