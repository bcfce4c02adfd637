#include "scenarios/matrix_run.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "models/matrix/canonical_json.hpp"
#include "models/matrix/federation.hpp"
#include "models/matrix/stateres_cases.hpp"
#include "models/matrix/workload.hpp"

namespace dmlssim::scenarios {
namespace {

namespace mx = models::matrix;

constexpr sim::SimTime kNever = sim::SimTime::from_ns(-1);
constexpr int kArrivals = static_cast<int>(mx::Arrival::kBackfilled) + 1;
constexpr int kStatuses = static_cast<int>(mx::EventStatus::kRejected) + 1;

struct Heal {
  sim::SimTime at;
  std::vector<std::int32_t> side;  // component label before the heal, per server; -1: down or
                                   // outside the merged component
  std::vector<bool> counted;       // up at the heal in the merged component (catch-up awaited)
  std::string merged;              // the merged components, by their first servers: "s0+s10"
  std::vector<bool> awaited;       // per event below events_at_heal: some counted server held it
  const char* kind = "heal";       // heal (components merged), restart, link_up
  // Per counted server: awaited events it lacked at the heal, still lacking, and when it got the
  // last of them (kNever: not yet).
  std::vector<std::uint32_t> lacking_at_heal, lacking;
  std::vector<sim::SimTime> caught_up;
  std::map<std::int32_t, sim::NodeId> side_first;  // side label -> its first server (names it)
  std::string cause;               // the fault: "heal atlantic", "restart s3", "link_up s1-s2"
  std::size_t events_at_heal = 0;  // store size: events below it are the ones to converge on
  std::uint64_t missing = 0;       // (server, event) pairs still to arrive
  std::uint64_t missing_at_heal = 0;
  std::size_t sides = 0;
  sim::SimTime first_success = kNever;
  sim::SimTime dag_converged = kNever;
  sim::SimTime state_converged = kNever;
  std::uint64_t bytes_at_heal = 0;
  std::uint64_t bytes_at_convergence = 0;
  std::uint64_t soft_failed = 0;  // soft-failed admissions between the heal and DAG convergence
  std::vector<models::matrix::StateMap> side_states;  // one server's current state per side
  bool open() const { return dag_converged == kNever || state_converged == kNever; }
};

// What an empty stage cell means, spelled out: a stage not reached is censored by the end of the
// run, not missing.
std::string heal_status(const Heal& h) {
  if (h.dag_converged == kNever) return "not converged before the end";
  if (h.state_converged == kNever) return "DAG converged, state not before the end";
  return "converged";
}

}  // namespace

struct MatrixRun::State {
  State(const RunContext& context, const MatrixSetup& m)
      : scenario(context.scenario),
        setup(m),
        run(context.run),
        sim(context.sim),
        network(context.network),
        metrics(context.metrics),
        world(*m.version, "!room:" + context.scenario.topology.server_names[m.room.creator_server],
              m.resolution) {}

  // --- what the homeservers announce ---
  void on_admitted(sim::NodeId server, mx::EventIndex e, mx::EventStatus status,
                   mx::Arrival arrival) {
    if (in_any_dag.size() <= e) in_any_dag.resize(world.store().size(), false);
    in_any_dag[e] = true;
    ++admissions[static_cast<int>(arrival)][static_cast<int>(status)];
    if (status == mx::EventStatus::kSoftFailed) soft_failed_events.insert(e);
    if (status == mx::EventStatus::kRejected) rejected_events.insert(e);
    for (Heal& h : heals) {
      if (!h.open()) continue;
      if (h.dag_converged == kNever) {
        if (!h.counted[server]) continue;
        if (status == mx::EventStatus::kSoftFailed) ++h.soft_failed;
        if (e < h.events_at_heal && h.awaited[e] && h.lacking[server] > 0 &&
            --h.lacking[server] == 0) {
          h.caught_up[server] = sim.now();
        }
        if (e < h.events_at_heal && h.awaited[e] && h.missing > 0 && --h.missing == 0) {
          dag_converged(h);
        }
      } else if (states_may_have_converged) {
        check_state_convergence(h);
      }
    }
  }
  void on_state_changed(sim::NodeId) { states_may_have_converged = true; }
  void on_request_done(sim::NodeId from, sim::NodeId to, mx::RequestKind, bool ok) {
    if (!ok) return;
    for (Heal& h : heals) {
      if (h.first_success == kNever && h.counted[from] && h.counted[to] && h.side[from] >= 0 &&
          h.side[to] >= 0 && h.side[from] != h.side[to]) {
        h.first_success = sim.now();
      }
    }
  }

  std::uint64_t federation_bytes() const {
    std::uint64_t bytes = 0;
    for (std::size_t c = 0; c < network.class_names().size(); ++c) {
      if (network.class_names()[c].rfind("fed_", 0) == 0) {
        bytes += network.traffic(static_cast<sim::MessageClass>(c)).bytes;
      }
    }
    return bytes;
  }

  void dag_converged(Heal& h) {
    h.dag_converged = sim.now();
    h.bytes_at_convergence = federation_bytes();
    check_state_convergence(h);
  }

  // Are the current states of the heal's servers that are up equal? Checked when a state or the
  // set of up servers changed since the last check (otherwise the answer cannot have changed).
  void check_state_convergence(Heal& h) {
    states_may_have_converged = false;
    const mx::StateMap* first = nullptr;
    for (sim::NodeId s = 0; s < federation->server_count(); ++s) {
      if (!h.counted[s] || !network.reachability().is_up(s)) continue;
      const mx::StateMap* state = &federation->server(s).current_state();
      if (first == nullptr) {
        first = state;
      } else if (state != first && *state != *first) {
        return;
      }
    }
    h.state_converged = sim.now();
  }

  // Fault changes: remember the components before, detect merges after.
  void before_change() {
    const sim::Reachability& r = network.reachability();
    labels_before.resize(r.node_count());
    for (sim::NodeId n = 0; n < r.node_count(); ++n) {
      labels_before[n] = r.is_up(n) ? r.component(n) : -1;
    }
  }
  void after_change() {
    const sim::Reachability& r = network.reachability();
    // Old components that now share a component, among servers up before and after.
    std::map<std::int32_t, std::set<std::int32_t>> merged;  // new label -> old labels
    for (sim::NodeId n = 0; n < r.node_count(); ++n) {
      if (labels_before[n] < 0 || !r.is_up(n)) continue;
      merged[r.component(n)].insert(labels_before[n]);
    }
    // Servers back from a crash, by the component they come back into.
    std::map<std::int32_t, std::vector<sim::NodeId>> restarted;
    for (sim::NodeId n = 0; n < r.node_count(); ++n) {
      if (labels_before[n] < 0 && r.is_up(n)) restarted[r.component(n)].push_back(n);
    }
    // One heal per new component that joins two or more old ones (a nested split healed from
    // the inside merges only its own sides; the rest of the room is not part of that heal).
    // A component that merged nothing but took back restarted servers is a restart
    // reconnection: those servers are behind and catch up.
    const std::string cause = std::move(pending_cause);
    pending_cause.clear();
    bool recorded = false;
    for (const auto& [label, olds] : merged) {
      if (olds.size() > 1) {
        record_heal(label, olds.size(), "heal", cause, {});
        recorded = true;
      }
    }
    for (const auto& [label, back] : restarted) {
      if (merged.count(label) == 0 || merged.at(label).size() <= 1) {
        record_heal(label, 2, "restart", cause, back);
        recorded = true;
      }
    }
    // A link back up that merged nothing: its two ends could not talk directly (federation does
    // not relay) and catch up with each other.
    if (!recorded && pending_link) {
      const auto [a, b] = *pending_link;
      if (r.is_up(a) && r.is_up(b) && r.component(a) == r.component(b)) {
        record_heal(r.component(a), 2, "link_up", cause, {a}, b);
      }
    }
    pending_link.reset();
  }

  // `label`: the component the heal is measured in. Sides: for a heal the old components; for a
  // restart the restarted servers against the rest; for a link the two ends (only they count
  // for the back-off wait).
  void record_heal(std::int32_t label, std::size_t sides, const char* kind,
                   const std::string& cause, const std::vector<sim::NodeId>& apart,
                   std::optional<sim::NodeId> other_end = std::nullopt) {
    const sim::Reachability& r = network.reachability();
    Heal h;
    h.at = sim.now();
    h.kind = kind;
    h.cause = cause;
    const std::size_t servers = federation->server_count();
    h.side.assign(servers, -1);
    h.counted.assign(servers, false);
    h.events_at_heal = world.store().size();
    std::map<std::int32_t, sim::NodeId> first_of_side;
    for (sim::NodeId s = 0; s < servers; ++s) {
      if (!r.is_up(s) || r.component(s) != label) continue;
      h.counted[s] = true;
      if (std::string(kind) == "heal") {
        h.side[s] = labels_before[s];
      } else if (other_end) {
        h.side[s] = s == apart[0] ? 0 : (s == *other_end ? 1 : -1);
      } else {
        h.side[s] = std::find(apart.begin(), apart.end(), s) != apart.end() ? 1 : 0;
      }
      if (h.side[s] >= 0) first_of_side.try_emplace(h.side[s], s);
    }
    h.side_first = first_of_side;
    std::vector<sim::NodeId> firsts;
    for (const auto& [side, first] : first_of_side)
      firsts.push_back(first);
    std::sort(firsts.begin(), firsts.end());
    for (const sim::NodeId first : firsts)
      h.merged += (h.merged.empty() ? "" : "+") + scenario.topology.server_names[first];
    h.sides = sides;
    // Events some server of the merged component held at the heal, and who lacks them.
    h.awaited.assign(h.events_at_heal, false);
    h.lacking_at_heal.assign(servers, 0);
    h.caught_up.assign(servers, kNever);
    for (mx::EventIndex e = 0; e < h.events_at_heal && e < in_any_dag.size(); ++e) {
      if (!in_any_dag[e]) continue;
      std::uint64_t lacking = 0;
      bool held = false;
      for (sim::NodeId s = 0; s < servers; ++s) {
        if (!h.counted[s]) continue;
        if (federation->server(s).in_dag(e)) {
          held = true;
        } else {
          ++lacking;
        }
      }
      if (held) {
        h.awaited[e] = true;
        h.missing += lacking;
        for (sim::NodeId s = 0; s < servers; ++s) {
          if (h.counted[s] && !federation->server(s).in_dag(e)) ++h.lacking_at_heal[s];
        }
      }
    }
    h.missing_at_heal = h.missing;
    h.lacking = h.lacking_at_heal;
    for (sim::NodeId s = 0; s < servers; ++s) {
      if (h.counted[s] && h.lacking[s] == 0) h.caught_up[s] = h.at;
    }
    h.bytes_at_heal = federation_bytes();
    record_side_differences(heals.size(), h);
    heals.push_back(std::move(h));
    if (heals.back().missing == 0) dag_converged(heals.back());
  }

  // Rows for the keys whose values differ between the sides being merged.
  void record_side_differences(std::size_t index, Heal& h) {
    using Key = mx::StateKeyId;
    // side label -> key -> value -> servers holding it
    std::map<std::int32_t, std::map<Key, std::map<mx::EventIndex, std::int64_t>>> values;
    std::map<std::int32_t, sim::NodeId> first_server;
    std::set<Key> keys;
    // Servers holding the same shared map are counted together (the map order cannot leak: the
    // counts are summed into ordered maps).
    std::map<std::int32_t, std::map<const mx::StateMap*, std::int64_t>> holders;
    for (sim::NodeId s = 0; s < federation->server_count(); ++s) {
      if (h.side[s] < 0) continue;
      if (first_server.try_emplace(h.side[s], s).second) {
        h.side_states.push_back(federation->server(s).current_state());
      }
      ++holders[h.side[s]][&federation->server(s).current_state()];
    }
    for (const auto& [label, maps] : holders) {
      auto& side = values[label];
      for (const auto& [state, servers] : maps) {
        for (const mx::StateEntry& entry : *state) {
          side[entry.key][entry.event] += servers;
          keys.insert(entry.key);
        }
      }
    }
    for (const Key key : keys) {
      std::set<std::set<mx::EventIndex>> distinct;
      for (auto& [label, side] : values) {
        std::set<mx::EventIndex> v;
        for (const auto& [event, n] : side[key])
          v.insert(event);
        distinct.insert(v);
      }
      if (distinct.size() <= 1) continue;
      const mx::StateKey& k = world.store().key(key);
      for (auto& [label, side] : values) {
        const std::string side_name = scenario.topology.server_names[first_server[label]];
        if (side[key].empty()) {
          side_rows.push_back({static_cast<std::int64_t>(index), h.at, k.type, k.state_key,
                               side_name, std::string(), std::int64_t{0}});
        }
        for (const auto& [event, n] : side[key]) {
          side_rows.push_back({static_cast<std::int64_t>(index), h.at, k.type, k.state_key,
                               side_name, world.store()[event].event_id, n});
        }
      }
    }
  }

  const Scenario& scenario;
  const MatrixSetup& setup;
  std::uint64_t run;
  sim::Simulation& sim;
  sim::Network& network;
  sim::MetricsRecorder& metrics;
  mx::RoomWorld world;
  std::unique_ptr<mx::Federation> federation;
  std::unique_ptr<mx::Workload> workload;
  std::vector<bool> in_any_dag;
  bool states_may_have_converged = true;
  // Admissions by (arrival, status), counted without a look-up per admission.
  std::int64_t admissions[kArrivals][kStatuses] = {};
  std::set<mx::EventIndex> soft_failed_events, rejected_events;
  std::vector<std::int32_t> labels_before;
  // The fault being applied (from the fault log), for the heal it causes.
  std::string pending_cause;
  std::optional<std::pair<sim::NodeId, sim::NodeId>> pending_link;
  std::vector<Heal> heals;
  std::vector<std::vector<sim::Cell>> side_rows;
  std::vector<std::vector<sim::Cell>> action_rows;  // one per workload action
};

MatrixRun::MatrixRun(const RunContext& context, const MatrixSetup& m)
    : state_(std::make_unique<State>(context, m)) {
  State& st = *state_;
  const Scenario& scenario = context.scenario;
  const std::uint64_t run = context.run;
  sim::Simulation& sim = context.sim;
  sim::Network& network = context.network;
  sim::MetricsRecorder& metrics = context.metrics;
  mx::create_room(st.world, m.room);
  st.in_any_dag.assign(st.world.store().size(), true);
  st.federation =
      std::make_unique<mx::Federation>(sim, network, st.world, m.federation, scenario.seed, run);
  mx::HomeserverSignals& signals = st.federation->signals();
  signals.event_admitted.connect(
      [&st](sim::NodeId s, mx::EventIndex e, mx::EventStatus status, mx::Arrival arrival) {
        st.on_admitted(s, e, status, arrival);
      });
  signals.state_changed.connect([&st](sim::NodeId s) { st.on_state_changed(s); });
  signals.request_done.connect([&st](sim::NodeId from, sim::NodeId to, mx::RequestKind kind,
                                     bool ok) { st.on_request_done(from, to, kind, ok); });
  st.federation->bootstrap();
  // Privileged users: the creator, then admins and moderators (all on the creator's server).
  std::vector<std::size_t> privileged, admins;
  for (std::size_t u = 0; u < st.world.users().size(); ++u) {
    const mx::RoomUser& user = st.world.users()[u];
    if (user.server != m.room.creator_server) continue;
    for (std::uint32_t i = 0; i <= m.room.admins + m.room.moderators; ++i) {
      if (user.user_id != mx::user_id_for(m.room.creator_server, i)) continue;
      privileged.push_back(u);
      if (i <= m.room.admins) admins.push_back(u);
    }
  }
  st.workload = std::make_unique<mx::Workload>(sim, *st.federation, m.workload, privileged, admins,
                                               scenario.seed, run);
  st.workload->set_action_observer([&st](const mx::WorkloadAction& a) {
    const mx::RoomUser& user = st.world.users()[a.user];
    const bool sent = a.event != mx::kNoEvent;
    st.action_rows.push_back({a.at, st.scenario.topology.server_names[user.server], user.user_id,
                              std::string(a.kind), std::string(sent ? "sent" : "refused"),
                              std::string(a.refused),
                              sent ? st.world.store()[a.event].event_id : std::string()});
  });
  st.workload->start();
  network.reachability().add_node_listener(
      [&st](sim::NodeId, bool) { st.states_may_have_converged = true; });
  network.reachability().add_before_change_listener([&st] { st.before_change(); });
  network.reachability().add_change_listener([&st] { st.after_change(); });
  metrics.add_gauge("room_events", [&st] { return static_cast<double>(st.world.store().size()); });
  metrics.add_gauge("backing_off_pairs",
                    [&st] { return static_cast<double>(st.federation->backing_off_pairs()); });
  metrics.add_gauge("max_forward_extremities", [&st] {
    std::size_t n = 0;
    for (sim::NodeId s = 0; s < st.federation->server_count(); ++s) {
      n = std::max(n, st.federation->server(s).forward_extremities().size());
    }
    return static_cast<double>(n);
  });
}

MatrixRun::~MatrixRun() = default;

models::matrix::Federation& MatrixRun::federation() {
  return *state_->federation;
}
models::matrix::Workload& MatrixRun::workload() {
  return *state_->workload;
}

void MatrixRun::on_fault(const sim::FaultRecord& record) {
  State& st = *state_;
  const std::string cause = record.kind + " " + record.target;
  if (record.kind == "heal") {
    // Logged after the change it made: name the heals that change recorded.
    for (Heal& h : st.heals) {
      if (h.at == record.at && h.cause.empty()) h.cause = cause;
    }
    return;
  }
  st.pending_cause = cause;
  st.pending_link.reset();
  if (record.kind == "link_up" && record.nodes.size() == 2) {
    st.pending_link = std::make_pair(record.nodes[0], record.nodes[1]);
  }
}

void MatrixRun::finish(nlohmann::json& summary, std::vector<SummaryMetric>& metrics,
                       std::vector<std::pair<std::string, std::string>>& files) {
  State& st = *state_;
  const Scenario& scenario = st.scenario;
  sim::Table& heals = st.metrics.table(
      "matrix_heals", {"heal", "time_s", "kind", "cause", "sides", "merged", "missing_at_heal",
                       "backoff_wait_s", "catchup_s", "dag_converged_s", "state_converged_s",
                       "catchup_bytes", "soft_failed", "status"});
  auto since = [](sim::SimTime from, sim::SimTime to) -> sim::Cell {
    if (to == kNever || from == kNever) return std::string();
    return to - from;
  };
  // From the first successful request (or the heal) to DAG convergence; 0 when the DAG had
  // converged before the first request between the sides succeeded (nothing was missing).
  auto catchup = [&](const Heal& h) -> sim::Cell {
    if (h.dag_converged == kNever) return std::string();
    const sim::SimTime from = h.first_success == kNever ? h.at : h.first_success;
    return std::max(sim::SimTime(), h.dag_converged - from);
  };
  nlohmann::json first_heal = nullptr;
  const Heal* first = nullptr;  // the first heal of kind heal
  for (std::size_t i = 0; i < st.heals.size(); ++i) {
    const Heal& h = st.heals[i];
    const bool converged = h.dag_converged != kNever;
    const sim::Cell bytes =
        converged ? sim::Cell(static_cast<std::int64_t>(h.bytes_at_convergence - h.bytes_at_heal))
                  : sim::Cell(std::string());
    heals.add_row({static_cast<std::int64_t>(i), h.at, std::string(h.kind), h.cause,
                   static_cast<std::int64_t>(h.sides), h.merged,
                   static_cast<std::int64_t>(h.missing_at_heal), since(h.at, h.first_success),
                   catchup(h), since(h.at, h.dag_converged), since(h.at, h.state_converged), bytes,
                   static_cast<std::int64_t>(h.soft_failed), heal_status(h)});
    if (first_heal.is_null() && std::string(h.kind) == "heal") {
      first = &h;
      auto seconds = [](sim::Cell c) -> nlohmann::json {
        // The double nearest to the exact decimal seconds, so that it prints back exactly.
        if (const auto* t = std::get_if<sim::SimTime>(&c))
          return std::stod(sim::format_seconds(*t));
        return nullptr;
      };
      first_heal = {
          {"time_s", std::stod(sim::format_seconds(h.at))},
          {"backoff_wait_s", seconds(since(h.at, h.first_success))},
          {"catchup_s", seconds(catchup(h))},
          {"dag_converged_s", seconds(since(h.at, h.dag_converged))},
          {"state_converged_s", seconds(since(h.at, h.state_converged))},
          {"catchup_bytes", converged ? nlohmann::json(h.bytes_at_convergence - h.bytes_at_heal)
                                      : nlohmann::json(nullptr)},
          {"soft_failed", h.soft_failed},
          {"missing_at_heal", h.missing_at_heal},
          {"status", heal_status(h)},
          // Simulated time after the heal: the lower bound of every stage not reached.
          {"observed_s", std::stod(sim::format_seconds(scenario.duration - h.at))}};
    }
  }
  // Per heal and server of its component: what the server lacked and when it had it all.
  sim::Table& per_server = st.metrics.table(
      "matrix_heal_servers",
      {"heal", "time_s", "server", "side", "missing_at_heal", "caught_up_s", "status"});
  for (std::size_t i = 0; i < st.heals.size(); ++i) {
    const Heal& h = st.heals[i];
    for (sim::NodeId s = 0; s < h.counted.size(); ++s) {
      if (!h.counted[s]) continue;
      const bool caught_up = h.caught_up[s] != kNever;
      per_server.add_row({static_cast<std::int64_t>(i), h.at, scenario.topology.server_names[s],
                          h.side[s] < 0
                              ? std::string()
                              : scenario.topology.server_names[h.side_first.at(h.side[s])],
                          static_cast<std::int64_t>(h.lacking_at_heal[s]),
                          caught_up ? sim::Cell(h.caught_up[s] - h.at) : sim::Cell(std::string()),
                          std::string(caught_up ? "caught up" : "not caught up before the end")});
    }
  }
  sim::Table& sides = st.metrics.table(
      "matrix_split_state", {"heal", "time_s", "type", "state_key", "side", "event_id", "servers"});
  for (auto& row : st.side_rows)
    sides.add_row(std::move(row));
  sim::Table& admissions =
      st.metrics.table("matrix_admissions", {"arrival", "status", "server_events"});
  // Rows in the order of the names, as before (arrival, then status, alphabetically).
  std::map<std::pair<std::string, std::string>, std::int64_t> by_name;
  for (int a = 0; a < kArrivals; ++a) {
    for (int s = 0; s < kStatuses; ++s) {
      if (st.admissions[a][s] == 0) continue;
      by_name[{mx::to_string(static_cast<mx::Arrival>(a)),
               mx::to_string(static_cast<mx::EventStatus>(s))}] = st.admissions[a][s];
    }
  }
  for (const auto& [key, n] : by_name)
    admissions.add_row({key.first, key.second, n});
  sim::Table& actions =
      st.metrics.table("matrix_actions", {"action", "outcome", "reason", "count"});
  for (const auto& [kind, n] : st.workload->counts().sent) {
    actions.add_row({kind, std::string("sent"), std::string(), static_cast<std::int64_t>(n)});
  }
  for (const auto& [key, n] : st.workload->counts().refused) {
    actions.add_row({key.first, std::string("refused"), key.second, static_cast<std::int64_t>(n)});
  }

  // What the federation's PDUs and EDUs carried, by event type (names in order, then EDUs).
  sim::Table& content =
      st.metrics.table("federation_content", {"kind", "type", "objects", "bytes"});
  std::map<std::string, mx::Federation::ContentCount> pdus;
  const auto& by_type = st.federation->pdus_by_type();
  for (std::size_t t = 0; t < by_type.size(); ++t) {
    if (by_type[t].objects != 0) pdus[st.world.type_names()[t]] = by_type[t];
  }
  for (const auto& [type, c] : pdus) {
    content.add_row({std::string("pdu"), type, static_cast<std::int64_t>(c.objects),
                     static_cast<std::int64_t>(c.bytes)});
  }
  const mx::Federation::ContentCount& edus = st.federation->to_device_edus();
  content.add_row({std::string("edu"), std::string("m.direct_to_device"),
                   static_cast<std::int64_t>(edus.objects), static_cast<std::int64_t>(edus.bytes)});
  if (st.federation->has_media_service()) {  // files in media download answers
    const mx::Federation::ContentCount& files = st.federation->media_files();
    content.add_row({std::string("media"), std::string("file"),
                     static_cast<std::int64_t>(files.objects),
                     static_cast<std::int64_t>(files.bytes)});
  }

  sim::Table& action_log = st.metrics.table(
      "matrix_action_log", {"time_s", "server", "user", "action", "outcome", "reason", "event_id"});
  for (auto& row : st.action_rows)
    action_log.add_row(std::move(row));

  // Events in some server's DAG: what was really sent.
  std::vector<bool> sent(st.world.store().size(), false);
  std::size_t sent_count = 0;
  for (mx::EventIndex e = 0; e < sent.size() && e < st.in_any_dag.size(); ++e) {
    sent[e] = st.in_any_dag[e];
    sent_count += sent[e] ? 1 : 0;
  }
  if (scenario.metrics.room_dag) {
    std::string ndjson;
    for (mx::EventIndex e = 0; e < sent.size(); ++e) {
      if (!sent[e]) continue;
      nlohmann::json pdu = mx::pdu_json(st.world.store(), st.world.store()[e], st.world.room_id());
      pdu["event_id"] = st.world.store()[e].event_id;
      ndjson += mx::canonical_json(pdu) + "\n";
    }
    files.emplace_back("room-0.ndjson", std::move(ndjson));
  }
  if (scenario.metrics.room_cases) {
    nlohmann::json cases = nlohmann::json::array();
    cases.push_back(mx::dag_case(st.world.store(), st.world.history(),
                                 scenario.name + "/run-" + std::to_string(st.run),
                                 "the room DAG at the end of the run", &sent));
    // Each heal's merge: the sides' states as one server of each held them, resolved together.
    mx::StateResolver resolver(st.world.store());
    for (std::size_t i = 0; i < st.heals.size(); ++i) {
      std::vector<const mx::StateMap*> states;
      for (const mx::StateMap& side : st.heals[i].side_states)
        states.push_back(&side);
      cases.push_back(mx::state_sets_case(
          st.world.store(), states, resolver.resolve(states, st.world.history().options()),
          scenario.name + "/run-" + std::to_string(st.run) + "/heal-" + std::to_string(i),
          "the sides' room states at a heal, resolved together"));
    }
    files.emplace_back("room-0.cases.json", mx::cases_document(cases).dump(1) + "\n");
  }
  const auto heals_of_kind_heal =
      std::count_if(st.heals.begin(), st.heals.end(),
                    [](const Heal& h) { return std::string(h.kind) == "heal"; });
  summary["matrix"] = {
      {"room_version", std::string(st.world.store().version().id)},
      {"events_sent", sent_count},
      {"soft_failed_events", st.soft_failed_events.size()},
      {"rejected_events", st.rejected_events.size()},
      {"heals", heals_of_kind_heal},
      {"reconnections", static_cast<std::ptrdiff_t>(st.heals.size()) - heals_of_kind_heal},
      {"first_heal", first_heal}};

  // Typed summary metrics: the room's totals, then the first heal's stages (not applicable
  // without a heal; a stage not reached is censored at the time observed after the heal).
  auto count = [](std::size_t n) { return static_cast<std::int64_t>(n); };
  metrics.push_back({"events_sent", "room events sent", MetricUnit::kCount, count(sent_count)});
  metrics.push_back({"soft_failed_events", "soft-failed events", MetricUnit::kCount,
                     count(st.soft_failed_events.size())});
  metrics.push_back({"rejected_events", "", MetricUnit::kCount, count(st.rejected_events.size())});
  metrics.push_back(
      {"heals", "", MetricUnit::kCount, static_cast<std::int64_t>(heals_of_kind_heal)});
  const double observed = first ? std::stod(sim::format_seconds(scenario.duration - first->at)) : 0;
  auto stage = [&](const char* name, const char* label, MetricUnit unit, sim::Cell cell,
                   bool bounded) {
    SummaryMetric m{name, label, unit, {}, std::nullopt, first != nullptr};
    if (const auto* t = std::get_if<sim::SimTime>(&cell)) {
      m.value = std::stod(sim::format_seconds(*t));
    } else if (const auto* i = std::get_if<std::int64_t>(&cell)) {
      m.value = *i;
    } else if (first != nullptr && bounded) {
      m.lower_bound = observed;
    }
    metrics.push_back(std::move(m));
  };
  const sim::Cell none = std::string();
  const bool converged = first && first->dag_converged != kNever;
  metrics.push_back({"", "first heal: DAG converged before the end", MetricUnit::kOutcome,
                     std::int64_t{converged ? 1 : 0}, std::nullopt, first != nullptr});
  stage("first_heal_backoff_wait_s", "first heal: back-off wait (s)", MetricUnit::kSeconds,
        first ? since(first->at, first->first_success) : none, true);
  stage("first_heal_catchup_s", "first heal: catch-up (s)", MetricUnit::kSeconds,
        first ? catchup(*first) : none, false);
  stage("first_heal_dag_converged_s", "first heal: DAG converged (s)", MetricUnit::kSeconds,
        first ? since(first->at, first->dag_converged) : none, true);
  stage("first_heal_state_converged_s", "first heal: state converged (s)", MetricUnit::kSeconds,
        first ? since(first->at, first->state_converged) : none, true);
  stage(
      "first_heal_catchup_bytes", "first heal: catch-up bytes", MetricUnit::kBytes,
      converged
          ? sim::Cell(static_cast<std::int64_t>(first->bytes_at_convergence - first->bytes_at_heal))
          : none,
      false);
  stage("first_heal_soft_failed", "", MetricUnit::kCount,
        first ? sim::Cell(static_cast<std::int64_t>(first->soft_failed)) : none, false);
  metrics.push_back({"first_heal_status", "", MetricUnit::kText,
                     first ? heal_status(*first) : std::string("no heal")});
}

}  // namespace dmlssim::scenarios
