// The homeserver's own view and its local sends; the sending, receiving and request sides are in
// homeserver_send.cpp, homeserver_receive.cpp and homeserver_answer.cpp.
#include "models/matrix/homeserver.hpp"

#include <algorithm>

#include "models/matrix/auth_rules.hpp"
#include "models/matrix/federation.hpp"

namespace dmlssim::models::matrix {

const char* to_string(EventStatus status) {
  static const char* const kNames[] = {"unknown", "outlier", "accepted", "soft_failed", "rejected"};
  return kNames[static_cast<int>(status)];
}

const char* to_string(Arrival arrival) {
  static const char* const kNames[] = {"local", "pushed", "pulled", "after_state_fetch",
                                       "backfilled"};
  return kNames[static_cast<int>(arrival)];
}

Homeserver::Homeserver(Federation& federation, sim::NodeId node, std::uint64_t seed,
                       std::uint64_t run)
    : NodeActor(federation.simulation(), federation.network().reachability(), node),
      federation_(federation),
      backoff_rng_(seed, run, "federation/backoff/s" + std::to_string(node)) {
  const sim::SimTime period = config().catchup_wakeup_period;
  const auto period_ms = static_cast<std::uint64_t>(period.ns() / 1'000'000);
  sim::RandomStream phase(seed, run, "federation/wakeup/s" + std::to_string(node));
  const auto offset_ms =
      static_cast<std::int64_t>(phase.uniform_index(std::max<std::uint64_t>(period_ms, 1)));
  wakeup_anchor_ = sim::kMillisecond * offset_ms - period;
}

RoomWorld& Homeserver::room() const {
  return federation_.room();
}
const FederationConfig& Homeserver::config() const {
  return federation_.config();
}
HomeserverSignals& Homeserver::signals() const {
  return federation_.signals();
}

EventStatusTable Homeserver::bootstrap_table(const std::vector<std::uint8_t>& cited) {
  EventStatusTable known;
  for (EventIndex e = 0; e < cited.size(); ++e) {
    known.set(e, static_cast<std::uint8_t>(static_cast<std::uint8_t>(EventStatus::kAccepted) |
                                           (cited[e] ? kCitedBit : 0)));
  }
  return known;
}

void Homeserver::bootstrap(const EventStatusTable& known, const std::vector<EventIndex>& leaves,
                           const SharedState& state) {
  known_ = known;
  extremities_ = leaves;
  current_ = state;
}

const StateMap& Homeserver::current_state() const {
  static const StateMap kEmpty;
  return current_ ? *current_ : kEmpty;
}

bool Homeserver::in_room() const {
  const StateMap& state = current_state();
  for (const RoomUser& u : room().users()) {
    if (u.server != node()) continue;
    const EventIndex m = state_lookup(state, u.member_key);
    if (m != kNoEvent && room().store()[m].membership == Membership::kJoin) return true;
  }
  return false;
}

bool Homeserver::backing_off(sim::NodeId d) const {
  return failing(d);
}

Homeserver::Destination& Homeserver::destination(sim::NodeId d) {
  if (destinations_.empty()) destinations_.resize(federation_.server_count());
  return destinations_[d];
}

const Homeserver::Destination* Homeserver::find_destination(sim::NodeId d) const {
  return destinations_.empty() ? nullptr : &destinations_[d];
}

std::vector<EventIndex> Homeserver::prev_events_for() const {
  std::vector<EventIndex> prev = extremities_;
  if (prev.size() > config().max_prev_events) {
    // The deepest ones (ties: the later stored).
    const EventStore& store = room().store();
    std::sort(prev.begin(), prev.end(), [&](EventIndex a, EventIndex b) {
      const auto da = store[a].depth, db = store[b].depth;
      return da != db ? da > db : a > b;
    });
    prev.resize(config().max_prev_events);
    std::sort(prev.begin(), prev.end());
  }
  return prev;
}

Homeserver::SendResult Homeserver::send(const std::string& sender, const std::string& type,
                                        std::optional<std::string> state_key,
                                        nlohmann::json content) {
  if (!up()) return {kNoEvent, "server down"};
  if (extremities_.empty()) return {kNoEvent, "server not in room"};
  RoomWorld& world = room();
  const std::vector<EventIndex> prev = prev_events_for();
  const SharedState before_shared =
      prev.size() == extremities_.size() ? current_ : world.history().shared_state_after_all(prev);
  const StateMap& before = *before_shared;
  const std::int64_t ts = kClockOriginMs + simulation().now().ns() / 1'000'000;
  const EventSpec spec =
      world.build(before, prev, sender, type, std::move(state_key), std::move(content), ts);
  // Check the candidate against the state before it; only an allowed event is stored and sent.
  if (world.store().find(spec.event_id)) return {kNoEvent, "duplicate event"};
  const Event candidate = world.store().preview(spec);
  const AuthState auth = auth_state_from(world.store(), candidate,
                                         [&](StateKeyId k) { return state_lookup(before, k); });
  const AuthVerdict verdict = check_auth_rules(world.store(), candidate, auth);
  if (!verdict) return {kNoEvent, verdict.reason};
  const EventIndex e = world.store_built(spec);
  admit(e, Arrival::kLocal);
  fan_out(e, Arrival::kLocal, node());
  return {e, ""};
}

}  // namespace dmlssim::models::matrix
