#include "models/matrix/federation.hpp"

#include <algorithm>
#include <queue>

#include "models/matrix/auth_rules.hpp"

namespace dmlssim::models::matrix {
namespace {

// Modelled sizes in bytes. An HTTP request line with headers and the X-Matrix authorization
// header; a JSON envelope; an event ID as it appears in a JSON list ("$" + 43 characters, quotes,
// comma).
constexpr std::uint32_t kRequestOverhead = 300;
constexpr std::uint32_t kResponseOverhead = 200;
constexpr std::uint32_t kEventIdBytes = 48;

constexpr std::uint64_t kResponseFlag = std::uint64_t{1} << 32;

const EventStatus kUnknownStatus = EventStatus::kUnknown;

}  // namespace

// Names in enumerator order (they appear in result tables).
const char* to_string(RequestKind kind) {
  static const char* const kNames[] = {"send",  "get_missing_events", "state_ids",
                                       "event", "backfill",           "probe"};
  return kNames[static_cast<int>(kind)];
}

const char* to_string(EventStatus status) {
  static const char* const kNames[] = {"unknown", "outlier", "accepted", "soft_failed", "rejected"};
  return kNames[static_cast<int>(status)];
}

const char* to_string(Arrival arrival) {
  static const char* const kNames[] = {"local", "pushed", "pulled", "after_state_fetch",
                                       "backfilled"};
  return kNames[static_cast<int>(arrival)];
}

Federation::Federation(sim::Simulation& sim, sim::Network& network, RoomWorld& room,
                       FederationConfig config, std::uint64_t seed, std::uint64_t run,
                       FederationObserver* observer)
    : sim_(sim),
      network_(network),
      room_(room),
      config_(config),
      observer_(observer != nullptr ? observer : &null_observer_),
      servers_(network.node_count()) {
  for (std::size_t s = 0; s < servers_.size(); ++s) {
    backoff_rng_.emplace_back(seed, run, "federation/backoff/s" + std::to_string(s));
  }
  for (int k = 0; k < 6; ++k) {
    class_of_[k] = network_.add_class(std::string("fed_") + to_string(static_cast<RequestKind>(k)));
  }
  network_.set_receiver([this](const sim::Message& m) { on_message(m); });
  network_.set_failure_handler([this](const sim::Message& m) { on_failure(m); });
  network_.reachability().add_node_listener([this](sim::NodeId n, bool up) {
    if (up) {
      on_restart(n);
    } else {
      on_crash(n);
    }
  });
}

void Federation::grow(Server& s) const {
  if (s.status.size() < room_.store().size()) {
    s.status.resize(room_.store().size(), EventStatus::kUnknown);
    s.cited.resize(room_.store().size(), 0);
  }
}

EventStatus Federation::status(sim::NodeId server_id, EventIndex e) const {
  const Server& s = server(server_id);
  return e < s.status.size() ? s.status[e] : kUnknownStatus;
}

bool Federation::in_dag(sim::NodeId server_id, EventIndex e) const {
  return status(server_id, e) >= EventStatus::kAccepted;
}

const std::vector<EventIndex>& Federation::forward_extremities(sim::NodeId s) const {
  return server(s).extremities;
}

const StateMap& Federation::current_state(sim::NodeId s) const {
  static const StateMap kEmpty;
  return server(s).current ? *server(s).current : kEmpty;
}

bool Federation::in_room(sim::NodeId s) const {
  const StateMap& state = current_state(s);
  for (const RoomUser& u : room_.users()) {
    if (u.server != s) continue;
    const EventIndex m = state_lookup(state, u.member_key);
    if (m != kNoEvent && room_.store()[m].membership == Membership::kJoin) return true;
  }
  return false;
}

bool Federation::backing_off(sim::NodeId s, sim::NodeId d) const {
  const auto it = server(s).destinations.find(d);
  return it != server(s).destinations.end() && it->second.backoff.failing();
}

std::size_t Federation::open_gaps(sim::NodeId s) const {
  return server(s).gaps.size();
}

void Federation::bootstrap() {
  const EventStore& store = room_.store();
  std::vector<bool> cited(store.size(), false);
  for (EventIndex e = 0; e < store.size(); ++e) {
    for (const EventIndex p : store[e].prev_events)
      cited[p] = true;
  }
  std::vector<EventIndex> leaves;
  for (EventIndex e = 0; e < store.size(); ++e) {
    if (!cited[e]) leaves.push_back(e);
  }
  const SharedState state =
      std::make_shared<const StateMap>(room_.history().state_after_all(leaves));
  for (Server& s : servers_) {
    grow(s);
    std::fill(s.status.begin(), s.status.end(), EventStatus::kAccepted);
    for (EventIndex e = 0; e < store.size(); ++e)
      s.cited[e] = cited[e] ? 1 : 0;
    s.extremities = leaves;
    s.current = state;
  }
}

std::vector<EventIndex> Federation::prev_events_for(const Server& s) const {
  std::vector<EventIndex> prev = s.extremities;
  if (prev.size() > config_.max_prev_events) {
    // The deepest ones (ties: the later stored).
    std::sort(prev.begin(), prev.end(), [&](EventIndex a, EventIndex b) {
      const auto da = room_.store()[a].depth, db = room_.store()[b].depth;
      return da != db ? da > db : a > b;
    });
    prev.resize(config_.max_prev_events);
    std::sort(prev.begin(), prev.end());
  }
  return prev;
}

Federation::SendResult Federation::send(sim::NodeId server_id, const std::string& sender,
                                        const std::string& type,
                                        std::optional<std::string> state_key,
                                        nlohmann::json content) {
  if (!network_.reachability().is_up(server_id)) return {kNoEvent, "server down"};
  Server& s = server(server_id);
  if (s.extremities.empty()) return {kNoEvent, "server not in room"};
  const std::vector<EventIndex> prev = prev_events_for(s);
  const StateMap before =
      prev.size() == s.extremities.size() ? *s.current : room_.history().state_after_all(prev);
  const std::int64_t ts = clock_origin_ms_ + sim_.now().ns() / 1'000'000;
  const EventSpec spec =
      room_.build(before, prev, sender, type, std::move(state_key), std::move(content), ts);
  // Check the candidate against the state before it; only an allowed event is stored and sent.
  if (room_.store().find(spec.event_id)) return {kNoEvent, "duplicate event"};
  const Event candidate = room_.store().preview(spec);
  const AuthState auth = auth_state_from(room_.store(), candidate,
                                         [&](StateKeyId k) { return state_lookup(before, k); });
  const AuthVerdict verdict = check_auth_rules(room_.store(), candidate, auth);
  if (!verdict) return {kNoEvent, verdict.reason};
  const EventIndex e = room_.store_built(spec);
  grow(s);
  const std::vector<sim::NodeId> before_hosts = room_.joined_servers(before);
  admit(server_id, e, Arrival::kLocal);
  std::vector<sim::NodeId> hosts = room_.joined_servers(room_.history().state_after(e));
  hosts.insert(hosts.end(), before_hosts.begin(), before_hosts.end());
  std::sort(hosts.begin(), hosts.end());
  hosts.erase(std::unique(hosts.begin(), hosts.end()), hosts.end());
  for (const sim::NodeId d : hosts) {
    if (d != server_id) enqueue(server_id, d, e);
  }
  return {e, ""};
}

// ---------------------------------------------------------------------------------------------
// Sending side

void Federation::enqueue(sim::NodeId s, sim::NodeId d, EventIndex e) {
  Destination& dest = server(s).destinations[d];
  dest.last_enqueued = e;
  if (!dest.catching_up) dest.pending.push_back(e);
  try_send(s, d);
}

void Federation::try_send(sim::NodeId s, sim::NodeId d) {
  if (!network_.reachability().is_up(s)) return;
  Destination& dest = server(s).destinations[d];
  if (dest.in_flight || !dest.backoff.may_try(sim_.now())) return;
  std::vector<EventIndex> pdus;
  if (dest.catching_up) {
    if (dest.last_enqueued == kNoEvent ||
        (dest.last_acked != kNoEvent && dest.last_enqueued <= dest.last_acked)) {
      dest.catching_up = false;
      return;
    }
    pdus.push_back(dest.last_enqueued);
  } else {
    const std::size_t n = std::min(dest.pending.size(), config_.max_pdus_per_transaction);
    if (n == 0) return;
    pdus.assign(dest.pending.begin(), dest.pending.begin() + static_cast<long>(n));
  }
  dest.in_flight = true;
  open_request(RequestKind::kSend, s, d, std::move(pdus));
}

void Federation::schedule_wakeup(sim::NodeId s) {
  Server& srv = server(s);
  if (srv.wakeup_scheduled) return;
  srv.wakeup_scheduled = true;
  const std::uint32_t generation = srv.generation;
  sim_.schedule(config_.catchup_wakeup_period, [this, s, generation] {
    if (server(s).generation != generation) return;
    server(s).wakeup_scheduled = false;
    wakeup(s);
  });
}

void Federation::wakeup(sim::NodeId s) {
  Server& srv = server(s);
  std::vector<sim::NodeId> due;
  bool any_catching_up = false;
  for (const auto& [d, dest] : srv.destinations) {
    if (!dest.catching_up) continue;
    any_catching_up = true;
    if (!dest.in_flight && dest.backoff.may_try(sim_.now())) due.push_back(d);
  }
  std::sort(due.begin(), due.end());  // unordered_map order must not leak into the run
  const std::uint32_t generation = srv.generation;
  for (std::size_t i = 0; i < due.size(); ++i) {
    const sim::NodeId d = due[i];
    sim_.schedule(config_.catchup_wakeup_stagger * static_cast<std::int64_t>(i),
                  [this, s, d, generation] {
                    if (server(s).generation == generation) try_send(s, d);
                  });
  }
  if (any_catching_up) schedule_wakeup(s);
}

void Federation::schedule_probe(sim::NodeId s, sim::NodeId d) {
  if (config_.probe_interval <= sim::SimTime()) return;
  Destination& dest = server(s).destinations[d];
  if (dest.probe_scheduled) return;
  dest.probe_scheduled = true;
  const std::uint32_t generation = server(s).generation;
  sim_.schedule(config_.probe_interval, [this, s, d, generation] {
    if (server(s).generation != generation) return;
    Destination& dest = server(s).destinations[d];
    dest.probe_scheduled = false;
    if (dest.backoff.failing()) open_request(RequestKind::kProbe, s, d, {});
  });
}

void Federation::note_inbound_from(sim::NodeId s, sim::NodeId origin) {
  const auto it = server(s).destinations.find(origin);
  if (it == server(s).destinations.end()) return;
  // Synapse: an authenticated inbound request clears the back-off ("remote server up") and
  // wakes the destination.
  if (it->second.backoff.on_success()) try_send(s, origin);
}

// ---------------------------------------------------------------------------------------------
// Requests

std::uint32_t Federation::open_request(RequestKind kind, sim::NodeId from, sim::NodeId to,
                                       std::vector<EventIndex> events,
                                       std::vector<EventIndex> aux) {
  std::uint32_t r;
  if (!free_requests_.empty()) {
    r = free_requests_.back();
    free_requests_.pop_back();
  } else {
    r = static_cast<std::uint32_t>(requests_.size());
    requests_.emplace_back();
  }
  Request& req = requests_[r];
  req.kind = kind;
  req.from = from;
  req.to = to;
  req.generation = server(from).generation;
  req.open = true;
  req.events = std::move(events);
  req.aux = std::move(aux);
  req.unfinished = 0;
  req.serial = next_serial_++;
  std::uint32_t bytes = kRequestOverhead;
  switch (kind) {
    case RequestKind::kSend:
      bytes += 60 + pdus_bytes(req.events);
      break;
    case RequestKind::kMissingEvents:
      bytes += 100 + kEventIdBytes * static_cast<std::uint32_t>(req.events.size() + req.aux.size());
      break;
    case RequestKind::kStateIds:
    case RequestKind::kBackfill:
      bytes += kEventIdBytes * static_cast<std::uint32_t>(req.events.size());
      break;
    case RequestKind::kEvents:  // one GET /event/{id} per event
      bytes = kRequestOverhead * static_cast<std::uint32_t>(req.events.size());
      break;
    case RequestKind::kProbe:
      break;
  }
  // The requester gives up if no response came within twice the request timeout.
  const std::uint32_t generation = req.generation;
  req.timeout = sim_.schedule(network_.config().request_timeout * 2, [this, r, generation] {
    Request& timed_out = requests_[r];
    if (!timed_out.open || timed_out.generation != generation) return;
    if (server(timed_out.from).generation != generation) {
      close_request(r);  // the requester crashed meanwhile and forgot it
    } else {
      complete(r, false);
    }
  });
  network_.send(from, to, bytes, class_of_[static_cast<int>(kind)], r);
  return r;
}

void Federation::close_request(std::uint32_t r) {
  Request& req = requests_[r];
  sim_.cancel(req.timeout);
  req.open = false;
  req.events.clear();
  req.aux.clear();
  free_requests_.push_back(r);
}

void Federation::on_message(const sim::Message& m) {
  const auto r = static_cast<std::uint32_t>(m.payload & 0xffffffffu);
  if ((m.payload & kResponseFlag) != 0) {
    Request& req = requests_[r];
    if (req.open && req.generation == server(req.from).generation) complete(r, true);
    return;
  }
  note_inbound_from(m.to, m.from);
  handle_request(r);
}

void Federation::on_failure(const sim::Message& m) {
  // A response that did not arrive is noticed by the requester's own timeout.
  if ((m.payload & kResponseFlag) != 0) return;
  const auto r = static_cast<std::uint32_t>(m.payload);
  Request& req = requests_[r];
  if (req.open && req.generation == server(req.from).generation) complete(r, false);
}

void Federation::respond(std::uint32_t r, std::uint32_t bytes) {
  const Request& req = requests_[r];
  network_.send(req.to, req.from, kResponseOverhead + bytes, class_of_[static_cast<int>(req.kind)],
                r | kResponseFlag);
}

void Federation::handle_request(std::uint32_t r) {
  Request& req = requests_[r];
  const sim::NodeId at = req.to;
  Server& srv = server(at);
  grow(srv);
  switch (req.kind) {
    case RequestKind::kSend: {
      for (const EventIndex e : req.events) {
        if (srv.status[e] >= EventStatus::kAccepted) continue;
        Inbound in;
        in.event = e;
        in.origin = req.from;
        in.transaction = r;
        in.transaction_serial = req.serial;
        srv.inbound.push_back(std::move(in));
        ++req.unfinished;
      }
      if (req.unfinished == 0) {
        respond(r, 0);
      } else {
        schedule_inbound(at);
      }
      return;
    }
    case RequestKind::kMissingEvents:
      req.events = missing_events(srv, req.aux, req.events, config_.missing_events_limit);
      respond(r, pdus_bytes(req.events));
      return;
    case RequestKind::kStateIds: {
      // The state after each missing prev event and the auth chains of those state events.
      std::vector<EventIndex> ids;
      for (const EventIndex p : req.events) {
        if (srv.status[p] < EventStatus::kAccepted) {
          respond(r, 0);  // 404: the requester treats the empty answer as a failure
          req.events.clear();
          return;
        }
        for (const StateEntry& entry : room_.history().state_after(p))
          ids.push_back(entry.event);
      }
      std::vector<EventIndex> chain = ids;
      std::vector<bool> seen(room_.store().size(), false);
      for (const EventIndex e : ids)
        seen[e] = true;
      for (std::size_t i = 0; i < chain.size(); ++i) {
        for (const EventIndex a : room_.store().auth_parents(chain[i])) {
          if (!seen[a]) {
            seen[a] = true;
            chain.push_back(a);
          }
        }
      }
      std::sort(chain.begin(), chain.end());
      req.events = std::move(chain);
      respond(r, kEventIdBytes * static_cast<std::uint32_t>(req.events.size()));
      return;
    }
    case RequestKind::kEvents: {
      std::uint32_t bytes = 0;
      for (const EventIndex e : req.events) {
        bytes +=
            kResponseOverhead + (srv.status[e] != EventStatus::kUnknown ? room_.pdu_bytes(e) : 0);
      }
      respond(r, bytes);
      return;
    }
    case RequestKind::kBackfill:
      req.events = backfill_events(srv, req.events, config_.backfill_limit);
      respond(r, pdus_bytes(req.events));
      return;
    case RequestKind::kProbe:
      respond(r, 0);
      return;
  }
}

void Federation::complete(std::uint32_t r, bool ok) {
  Request& req = requests_[r];
  const sim::NodeId s = req.from;
  const sim::NodeId d = req.to;
  const RequestKind kind = req.kind;
  Server& srv = server(s);
  grow(srv);
  if (kind == RequestKind::kStateIds && ok && req.events.empty()) ok = false;  // not found
  observer_->on_request_done(s, d, kind, ok);
  Destination& dest = srv.destinations[d];
  if (ok) {
    if (dest.backoff.on_success() && dest.catching_up && kind != RequestKind::kSend) {
      // "Remote server up": wake the destination now rather than at the next wake-up.
      sim_.schedule(sim::SimTime(), [this, s, d, generation = srv.generation] {
        if (server(s).generation == generation) try_send(s, d);
      });
    }
  } else {
    dest.backoff.on_failure(sim_.now(), config_, backoff_rng_[s]);
    schedule_probe(s, d);
  }
  switch (kind) {
    case RequestKind::kSend: {
      dest.in_flight = false;
      if (ok) {
        const EventIndex newest = *std::max_element(req.events.begin(), req.events.end());
        if (dest.last_acked == kNoEvent || newest > dest.last_acked) dest.last_acked = newest;
        if (dest.catching_up) {
          dest.catching_up = false;
          dest.pending.clear();
        } else {
          const std::size_t n = std::min(dest.pending.size(), req.events.size());
          dest.pending.erase(dest.pending.begin(), dest.pending.begin() + static_cast<long>(n));
        }
        close_request(r);
        try_send(s, d);
      } else {
        // Synapse drops the queued PDUs and catches up later with the latest event.
        dest.pending.clear();
        dest.catching_up = true;
        close_request(r);
        schedule_wakeup(s);
      }
      return;
    }
    case RequestKind::kMissingEvents: {
      Inbound& in = srv.inbound.front();
      if (ok) {
        std::vector<EventIndex> pulled = req.events;
        std::sort(pulled.begin(), pulled.end(), [&](EventIndex a, EventIndex b) {
          const auto da = room_.store()[a].depth, db = room_.store()[b].depth;
          return da != db ? da < db : a < b;
        });
        in.pulled = std::move(pulled);
        in.next_pulled = 0;
      }
      close_request(r);
      process_inbound(s);
      return;
    }
    case RequestKind::kStateIds: {
      if (!ok) {
        close_request(r);
        finish_inbound(s);  // give the event up; it will come again
        return;
      }
      std::vector<EventIndex> unknown;
      for (const EventIndex e : req.events) {
        if (srv.status[e] == EventStatus::kUnknown) unknown.push_back(e);
      }
      const std::vector<EventIndex> target = req.aux;
      close_request(r);
      if (unknown.empty()) {
        Inbound& in = srv.inbound.front();
        in.state_fetched_for = target[0];
        process_inbound(s);
      } else {
        open_request(RequestKind::kEvents, s, d, std::move(unknown), target);
      }
      return;
    }
    case RequestKind::kEvents: {
      if (!ok) {
        close_request(r);
        finish_inbound(s);
        return;
      }
      for (const EventIndex e : req.events) {
        if (srv.status[e] == EventStatus::kUnknown) srv.status[e] = EventStatus::kOutlier;
      }
      Inbound& in = srv.inbound.front();
      in.state_fetched_for = req.aux[0];
      close_request(r);
      process_inbound(s);
      return;
    }
    case RequestKind::kBackfill: {
      srv.backfilling = false;
      bool progress = false;
      if (ok) {
        std::vector<EventIndex> got = req.events;
        std::sort(got.begin(), got.end());  // parents first
        for (const EventIndex e : got) {
          if (srv.status[e] >= EventStatus::kAccepted) continue;
          admit(s, e, Arrival::kBackfilled);
          progress = true;
        }
      }
      close_request(r);
      if (srv.gaps.empty()) return;
      if (progress) {
        backfill(s);
      } else {
        // Nothing new from this peer: ask the next server in the room after a wake-up period.
        const std::vector<sim::NodeId> hosts = room_.joined_servers(current_state(s));
        const auto next = std::upper_bound(hosts.begin(), hosts.end(), d);
        srv.backfill_peer = next != hosts.end() ? *next : (hosts.empty() ? s : hosts.front());
        if (srv.backfill_peer == s && hosts.size() > 1) {
          const auto after = std::upper_bound(hosts.begin(), hosts.end(), s);
          srv.backfill_peer = after != hosts.end() ? *after : hosts.front();
        }
        srv.backfill_scheduled = true;
        sim_.schedule(config_.catchup_wakeup_period, [this, s, generation = srv.generation] {
          if (server(s).generation != generation) return;
          server(s).backfill_scheduled = false;
          backfill(s);
        });
      }
      return;
    }
    case RequestKind::kProbe:
      close_request(r);
      return;
  }
}

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
    std::vector<EventIndex> prev = event.prev_events;
    std::sort(prev.begin(), prev.end());
    std::vector<EventIndex> ext = srv.extremities;
    std::sort(ext.begin(), ext.end());
    if (prev != ext && soft_fails(ext, e)) verdict = EventStatus::kSoftFailed;
  }
  srv.status[e] = verdict;
  if (verdict == EventStatus::kAccepted) {
    // Forward extremities (Synapse _calculate_new_extremities): accepted events that no accepted
    // event cites. An accepted event citing soft-failed or rejected events also retires their
    // prev events, recursively through such events, so that no extremity dangles behind them.
    std::vector<EventIndex> walk(event.prev_events.begin(), event.prev_events.end());
    while (!walk.empty()) {
      const EventIndex p = walk.back();
      walk.pop_back();
      if (srv.cited[p]) continue;
      srv.cited[p] = 1;
      if (srv.status[p] == EventStatus::kSoftFailed || srv.status[p] == EventStatus::kRejected) {
        walk.insert(walk.end(), store[p].prev_events.begin(), store[p].prev_events.end());
      }
    }
    std::vector<EventIndex> next;
    for (const EventIndex x : srv.extremities) {
      if (!srv.cited[x]) next.push_back(x);
    }
    if (!srv.cited[e]) next.push_back(e);
    std::sort(next.begin(), next.end());
    if (next != srv.extremities) {
      srv.extremities = std::move(next);
      srv.current = room_.history().shared_state_after_all(srv.extremities);
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
  // The verdict depends only on the extremities and the event: every server with the same
  // extremities reaches the same one, so it is remembered (bounded, oldest forgotten first).
  std::vector<EventIndex> key = extremities;
  key.push_back(kNoEvent);
  key.push_back(e);
  if (const auto it = soft_fail_memo_.find(key); it != soft_fail_memo_.end()) return it->second;
  const EventStore& store = room_.store();
  std::vector<SharedState> held;
  std::vector<const StateMap*> states;
  for (const EventIndex x : extremities) {
    held.push_back(room_.history().shared_state_after(x));
    states.push_back(held.back().get());
  }
  const SharedState before = room_.history().shared_state_before(e);
  states.push_back(before.get());
  const StateMap current = room_.history().resolver().resolve(states, room_.history().options());
  const bool fails = !check_auth_rules(
      store, store[e],
      auth_state_from(store, store[e], [&](StateKeyId k) { return state_lookup(current, k); }));
  if (soft_fail_memo_.size() >= StateHistory::kMemoSize) {
    soft_fail_memo_.erase(soft_fail_order_.front());
    soft_fail_order_.pop_front();
  }
  soft_fail_memo_.emplace(key, fails);
  soft_fail_order_.push_back(std::move(key));
  return fails;
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
  for (auto& [d, dest] : srv.destinations) {
    // Queued PDUs lived in memory; what was not acknowledged is caught up after the restart.
    if (dest.in_flight || !dest.pending.empty()) dest.catching_up = true;
    dest.pending.clear();
    dest.in_flight = false;
    dest.probe_scheduled = false;
  }
}

void Federation::on_restart(sim::NodeId s) {
  // Synapse wakes destinations needing catch-up one wake-up period after start.
  schedule_wakeup(s);
  if (!server(s).gaps.empty()) schedule_backfill(s);
}

// ---------------------------------------------------------------------------------------------
// Responder-side walks

std::vector<EventIndex> Federation::missing_events(const Server& s,
                                                   const std::vector<EventIndex>& earliest,
                                                   const std::vector<EventIndex>& latest,
                                                   std::size_t limit) const {
  // Synapse: walk back from the latest events' prev_events, deepest first, never past (or into)
  // the earliest events, returning at most `limit` events this server has.
  const EventStore& store = room_.store();
  std::vector<bool> seen(store.size(), false);
  for (const EventIndex e : earliest)
    seen[e] = true;
  for (const EventIndex e : latest)
    seen[e] = true;
  using Item = std::pair<std::int64_t, EventIndex>;  // (depth, index): deepest first
  std::priority_queue<Item> queue;
  for (const EventIndex e : latest) {
    for (const EventIndex p : store[e].prev_events) {
      if (!seen[p]) {
        seen[p] = true;
        queue.emplace(store[p].depth, p);
      }
    }
  }
  std::vector<EventIndex> out;
  while (!queue.empty() && out.size() < limit) {
    const EventIndex e = queue.top().second;
    queue.pop();
    if (e >= s.status.size() || s.status[e] < EventStatus::kAccepted) continue;
    out.push_back(e);
    for (const EventIndex p : store[e].prev_events) {
      if (!seen[p]) {
        seen[p] = true;
        queue.emplace(store[p].depth, p);
      }
    }
  }
  return out;
}

std::vector<EventIndex> Federation::backfill_events(const Server& s,
                                                    const std::vector<EventIndex>& from,
                                                    std::size_t limit) const {
  const EventStore& store = room_.store();
  std::vector<bool> seen(store.size(), false);
  using Item = std::pair<std::int64_t, EventIndex>;
  std::priority_queue<Item> queue;
  for (const EventIndex e : from) {
    if (!seen[e]) {
      seen[e] = true;
      queue.emplace(store[e].depth, e);
    }
  }
  std::vector<EventIndex> out;
  while (!queue.empty() && out.size() < limit) {
    const EventIndex e = queue.top().second;
    queue.pop();
    if (e >= s.status.size() || s.status[e] < EventStatus::kAccepted) continue;
    out.push_back(e);
    for (const EventIndex p : store[e].prev_events) {
      if (!seen[p]) {
        seen[p] = true;
        queue.emplace(store[p].depth, p);
      }
    }
  }
  return out;
}

std::uint32_t Federation::pdus_bytes(const std::vector<EventIndex>& events) const {
  std::uint32_t bytes = 0;
  for (const EventIndex e : events)
    bytes += room_.pdu_bytes(e) + 1;
  return bytes;
}

}  // namespace dmlssim::models::matrix
