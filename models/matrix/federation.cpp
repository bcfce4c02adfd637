#include "models/matrix/federation.hpp"

#include <algorithm>

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
  const auto period_ms = static_cast<std::uint64_t>(config_.catchup_wakeup_period.ns() / 1'000'000);
  for (std::size_t s = 0; s < servers_.size(); ++s) {
    backoff_rng_.emplace_back(seed, run, "federation/backoff/s" + std::to_string(s));
    sim::RandomStream phase(seed, run, "federation/wakeup/s" + std::to_string(s));
    const auto offset_ms =
        static_cast<std::int64_t>(phase.uniform_index(std::max<std::uint64_t>(period_ms, 1)));
    servers_[s].wakeup_anchor = sim::kMillisecond * offset_ms - config_.catchup_wakeup_period;
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

Federation::Destination& Federation::destination(sim::NodeId s, sim::NodeId d) {
  std::vector<Destination>& all = servers_[s].destinations;
  if (all.empty()) all.resize(servers_.size());
  return all[d];
}

const Federation::Destination* Federation::find_destination(sim::NodeId s, sim::NodeId d) const {
  const std::vector<Destination>& all = servers_[s].destinations;
  return all.empty() ? nullptr : &all[d];
}

void Federation::grow(Server& s) const {
  if (s.status.size() < room_.store().size()) {
    s.status.resize(room_.store().size(), EventStatus::kUnknown);
    s.cited.resize(room_.store().size(), 0);
  }
}

EventStatus Federation::status(sim::NodeId server_id, EventIndex e) const {
  const Server& s = server(server_id);
  return e < s.status.size() ? s.status[e] : EventStatus::kUnknown;
}

bool Federation::in_dag(sim::NodeId server_id, EventIndex e) const {
  return status(server_id, e) >= EventStatus::kAccepted;
}

const std::vector<EventIndex>& Federation::forward_extremities(sim::NodeId s) const {
  return server(s).extremities;
}

const SharedState& Federation::shared_current_state(sim::NodeId s) const {
  return server(s).current;
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
  const Destination* dest = find_destination(s, d);
  return dest != nullptr && dest->backoff.failing();
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

const std::vector<sim::NodeId>& Federation::joined_servers(const SharedState& state) {
  static const std::vector<sim::NodeId> kNone;
  if (!state) return kNone;
  // The slot is chosen by the map's address; holding the map keeps the address from being reused.
  JoinedServers& slot =
      joined_cache_[(reinterpret_cast<std::uintptr_t>(state.get()) >> 4) % kJoinedCacheSlots];
  if (slot.state != state) {
    slot.state = state;
    slot.servers = room_.joined_servers(*state);
  }
  return slot.servers;
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
  const SharedState before_shared = prev.size() == s.extremities.size()
                                        ? s.current
                                        : room_.history().shared_state_after_all(prev);
  const StateMap& before = *before_shared;
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
  const std::vector<sim::NodeId> before_hosts = joined_servers(before_shared);
  admit(server_id, e, Arrival::kLocal);
  std::vector<sim::NodeId> hosts = joined_servers(room_.history().shared_state_after(e));
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
  Destination& dest = destination(s, d);
  dest.last_enqueued = e;
  if (!dest.catching_up) dest.pending.push_back(e);
  try_send(s, d);
}

void Federation::try_send(sim::NodeId s, sim::NodeId d) {
  if (!network_.reachability().is_up(s)) return;
  Destination& dest = destination(s, d);
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
    const std::size_t n = std::min(dest.queued(), config_.max_pdus_per_transaction);
    if (n == 0) return;
    const auto first = dest.pending.begin() + dest.pending_head;
    pdus.assign(first, first + static_cast<long>(n));
  }
  dest.in_flight = true;
  open_request(RequestKind::kSend, s, d, std::move(pdus));
}

sim::SimTime Federation::next_wakeup_point(const Server& srv) const {
  const std::int64_t period = config_.catchup_wakeup_period.ns();
  const std::int64_t elapsed = (sim_.now() - srv.wakeup_anchor).ns();
  return srv.wakeup_anchor + sim::SimTime::from_ns(period * (elapsed / period + 1));
}

void Federation::schedule_wakeup(sim::NodeId s) {
  Server& srv = server(s);
  if (srv.wakeup_scheduled) return;
  srv.wakeup_scheduled = true;
  sim_.schedule_at(next_wakeup_point(srv), [this, s, generation = srv.generation] {
    if (server(s).generation == generation) start_wakeup_round(s);
  });
}

void Federation::start_wakeup_round(sim::NodeId s) {
  Server& srv = server(s);
  srv.round_cursor = 0;
  wakeup_batch(s);
}

// Synapse's _wake_destinations_needing_catchup: asks for the next batch of destinations (in
// destination order) that need catching up and are not backing off, wakes them one per stagger,
// sleeps one stagger after the last, and asks again until no destination is left.
void Federation::wakeup_batch(sim::NodeId s) {
  constexpr std::size_t kBatch = 25;  // get_catch_up_outstanding_destinations' LIMIT
  Server& srv = server(s);
  std::vector<sim::NodeId> due;
  for (sim::NodeId d = srv.round_cursor; d < srv.destinations.size() && due.size() < kBatch; ++d) {
    const Destination& dest = srv.destinations[d];
    if (dest.catching_up && !dest.in_flight && dest.backoff.may_try(sim_.now())) due.push_back(d);
  }
  const std::uint32_t generation = srv.generation;
  if (due.empty()) {
    // The round is over; the loop goes on while some destination still needs catching up.
    srv.wakeup_scheduled = false;
    for (const Destination& dest : srv.destinations) {
      if (dest.catching_up) return schedule_wakeup(s);
    }
    return;
  }
  srv.round_cursor = due.back() + 1;
  for (std::size_t i = 0; i < due.size(); ++i) {
    const sim::NodeId d = due[i];
    sim_.schedule(config_.catchup_wakeup_stagger * static_cast<std::int64_t>(i),
                  [this, s, d, generation] {
                    if (server(s).generation == generation) try_send(s, d);
                  });
  }
  sim_.schedule(config_.catchup_wakeup_stagger * static_cast<std::int64_t>(due.size()),
                [this, s, generation] {
                  if (server(s).generation == generation) wakeup_batch(s);
                });
}

void Federation::schedule_probe(sim::NodeId s, sim::NodeId d) {
  if (config_.probe_interval <= sim::SimTime()) return;
  Destination& dest = destination(s, d);
  if (dest.probe_scheduled) return;
  dest.probe_scheduled = true;
  const std::uint32_t generation = server(s).generation;
  sim_.schedule(config_.probe_interval, [this, s, d, generation] {
    if (server(s).generation != generation) return;
    Destination& dest = destination(s, d);
    dest.probe_scheduled = false;
    if (dest.backoff.failing()) open_request(RequestKind::kProbe, s, d, {});
  });
}

void Federation::note_inbound_from(sim::NodeId s, sim::NodeId origin) {
  // Nothing to clear unless some destination of this server is backing off (the common case:
  // no look-up in the server's destinations per inbound request).
  if (server(s).backing_off == 0 || find_destination(s, origin) == nullptr) return;
  // Synapse: an authenticated inbound request clears the back-off ("remote server up") and
  // wakes the destination.
  if (destination(s, origin).backoff.on_success()) {
    --backing_off_pairs_;
    --server(s).backing_off;
    try_send(s, origin);
  }
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
                r | kResponseFlag, sim::Leg::kResponse);
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
      for (const EventIndex p : req.events) {
        if (srv.status[p] < EventStatus::kAccepted) {
          respond(r, 0);  // 404: the requester treats the empty answer as a failure
          req.events.clear();
          return;
        }
      }
      req.events = state_ids(req.events);
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
  Destination& dest = destination(s, d);
  if (ok) {
    const bool recovered = dest.backoff.on_success();
    if (recovered) {
      --backing_off_pairs_;
      --srv.backing_off;
    }
    if (recovered && dest.catching_up && kind != RequestKind::kSend) {
      // "Remote server up": wake the destination now rather than at the next wake-up.
      sim_.schedule(sim::SimTime(), [this, s, d, generation = srv.generation] {
        if (server(s).generation == generation) try_send(s, d);
      });
    }
  } else {
    if (!dest.backoff.failing()) {
      ++backing_off_pairs_;
      ++srv.backing_off;
    }
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
          dest.clear_queued();
        } else {
          dest.drop_queued(std::min(dest.queued(), req.events.size()));
        }
        close_request(r);
        try_send(s, d);
      } else {
        // Synapse drops the queued PDUs and catches up later with the latest event.
        dest.clear_queued();
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
        const std::vector<sim::NodeId> hosts = joined_servers(srv.current);
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

const std::vector<EventIndex>& Federation::state_ids(const std::vector<EventIndex>& at) {
  // A function of the DAG alone, so every server answers it alike: remembered for the last
  // kStateIdsMemo questions (after a heal many servers ask for the state at the same events).
  if (const auto it = state_ids_memo_.find(at); it != state_ids_memo_.end()) return it->second;
  std::vector<EventIndex> chain;
  for (const EventIndex p : at) {
    for (const StateEntry& entry : room_.history().state_after(p))
      chain.push_back(entry.event);
  }
  std::vector<bool> seen(room_.store().size(), false);
  for (const EventIndex e : chain)
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
  if (state_ids_memo_.size() >= kStateIdsMemo) {
    state_ids_memo_.erase(state_ids_order_.front());
    state_ids_order_.pop_front();
  }
  state_ids_order_.push_back(at);
  return state_ids_memo_.emplace(at, std::move(chain)).first->second;
}

std::uint32_t Federation::pdus_bytes(const std::vector<EventIndex>& events) const {
  std::uint32_t bytes = 0;
  for (const EventIndex e : events)
    bytes += room_.pdu_bytes(e) + 1;
  return bytes;
}

}  // namespace dmlssim::models::matrix
