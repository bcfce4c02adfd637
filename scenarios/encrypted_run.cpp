#include "scenarios/encrypted_run.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "consensus/strategy_registry.hpp"
#include "models/device/client_sync.hpp"
#include "models/device/pcs_tracker.hpp"
#include "scenarios/device_sessions.hpp"
#include "scenarios/fork_accounting.hpp"
#include "scenarios/matrix_run.hpp"
#include "scenarios/room_truths.hpp"
#include "scenarios/secrets_held.hpp"
#include "sim/client_links.hpp"

namespace dmlssim::scenarios {
namespace {

namespace dev = models::device;

MatrixRun& matrix_run_of(const RunContext& context) {
  if (context.started != nullptr) {
    for (const auto& part : *context.started) {
      if (auto* m = dynamic_cast<MatrixRun*>(part.get())) return *m;
    }
  }
  throw std::logic_error("an encrypted room needs the Matrix part's room, built before it");
}

dev::EncryptedRoomConfig configured(dev::EncryptedRoomConfig config,
                                    const consensus::Strategy& strategy) {
  strategy.configure(config);
  return config;
}

// forks.csv: a row per branch of every fork; totals in summary.json and summary.csv.
void write_forks(const dev::EncryptedRoom& room, sim::MetricsRecorder& recorder,
                 nlohmann::json& e2ee, std::vector<SummaryMetric>& metrics) {
  const auto& store = room.federation().room().store();
  sim::Table& table = recorder.table("forks", {"fork", "parent_event", "time_s", "branch_event",
                                               "outcome", "commits", "depth", "lifetime_s"});
  std::set<std::uint32_t> forks;
  std::uint64_t by_outcome[3] = {}, commits_by_outcome[3] = {}, deepest = 0;
  for (const ForkBranch& b : account_forks(room)) {
    forks.insert(b.fork);
    const int o = static_cast<int>(b.outcome);
    ++by_outcome[o];
    commits_by_outcome[o] += b.commits;
    if (b.outcome != ForkBranch::Outcome::kContinued)
      deepest = std::max<std::uint64_t>(deepest, b.depth);
    table.add_row({static_cast<std::int64_t>(b.fork),
                   b.parent == models::matrix::kNoEvent ? std::string() : store[b.parent].event_id,
                   b.fork_time_s, store[b.commit].event_id, std::string(to_string(b.outcome)),
                   static_cast<std::int64_t>(b.commits), static_cast<std::int64_t>(b.depth),
                   b.lifetime_s ? sim::Cell(*b.lifetime_s) : sim::Cell(std::string())});
  }
  e2ee["forks"] = forks.size();
  e2ee["fork_branches_continued"] = by_outcome[0];
  e2ee["fork_branches_merged"] = by_outcome[1];
  e2ee["fork_branches_discarded"] = by_outcome[2];
  e2ee["fork_commits_merged"] = commits_by_outcome[1];
  e2ee["fork_commits_discarded"] = commits_by_outcome[2];
  e2ee["fork_max_depth"] = deepest;
  metrics.push_back(
      {"e2ee_forks", "MLS forks", MetricUnit::kCount, static_cast<std::int64_t>(forks.size())});
  metrics.push_back({"e2ee_fork_commits_discarded", "fork commits discarded", MetricUnit::kCount,
                     static_cast<std::int64_t>(commits_by_outcome[2])});
}

}  // namespace

struct EncryptedRun::State {
  State(const RunContext& context, const EncryptedSetup& s)
      : scenario(context.scenario),
        sim(context.sim),
        metrics(context.metrics),
        matrix(matrix_run_of(context)),
        links(context.sim, context.network.reachability(), s.sync_latency,
              sim::RandomStream(context.scenario.seed, context.run, "clients/latency")),
        sync(matrix.federation(), links),
        strategy(context.scenario.strategy_info->create(context.scenario.strategy_params)),
        room(context.sim, matrix.federation(), links, sync, configured(s.room, *strategy),
             context.scenario.seed, context.run),
        key_updates(context.scenario.seed, context.run, "workload/key_updates"),
        key_update_rate(s.key_updates_per_device),
        per_reader(s.per_reader) {
    room.start();
    sessions = std::make_unique<DeviceSessions>(room, links, s.sessions, s.online_time,
                                                s.offline_time, context.scenario.seed, context.run,
                                                context.scenario.duration);
    for (const EncryptedSetup::Compromise& c : s.compromises) {
      sim.schedule_at(c.at, [this, c] {
        // A device the per-user draw did not make cannot be compromised: recorded as absent.
        if (c.k >= room.device_count(c.user)) {
          absent_compromises.push_back(c);
          return;
        }
        pcs.compromise(room.first_device(c.user) + c.k);
      });
    }
    room_strategy = strategy->attach(room);
    if (room_strategy == nullptr)
      throw std::logic_error("strategy " + scenario.strategy + " took no charge of the room");
    add_truth_gauges(metrics, room, *room_strategy);
    if (s.device_epochs) device_epochs = std::make_unique<DeviceEpochLog>(room);
    matrix.workload().set_message_sender([this](std::size_t user) {
      const dev::EncryptedRoom::SendResult r = room.send_message(user);
      return r.sent ? "" : r.refused;
    });
    schedule_key_update();
    room.epoch_changed.connect([this](dev::DeviceIndex d) { check_mls_convergence(d); });
    sessions->switched.connect([this](dev::DeviceIndex) {
      if (open_heal()) check_mls_convergence();
    });
    room.ledger().on_fully_read = [this](std::uint32_t m, sim::SimTime at) {
      for (MlsHeal& h : heals) {
        if (h.readable == kNever && m >= h.first_message) h.readable = at;
      }
    };
  }

  struct MlsHeal {
    sim::SimTime at;
    std::string cause;
    std::uint32_t first_message = 0;  // messages sent after the heal start here
    sim::SimTime converged = kNever, readable = kNever;
  };
  static constexpr sim::SimTime kNever = sim::SimTime::from_ns(-1);
  bool open_heal() const {
    return std::any_of(heals.begin(), heals.end(),
                       [](const MlsHeal& h) { return h.converged == kNever; });
  }

  // MLS converged (docs/metrics.md): every online device of every user joined in the room's state
  // holds a group, all in one epoch, whose members are exactly the devices of the joined users.
  // Devices of users not joined (a banned user's stale group) take no part. Checked when `d`
  // entered its epoch, or with the most populous epoch's device after a session switch.
  void check_mls_convergence(dev::DeviceIndex d) {
    if (!open_heal()) return;
    const models::mls::Group* g = room.group(d);
    if (g == nullptr) return;
    const models::mls::Bytes& key = g->epoch_authenticator();
    // Cheap necessary condition first: every online member of the epoch is in it.
    if (room.devices_in_epoch(key) + sessions->offline() < g->member_count()) return;
    if (!room.leaves_to_remove(d).empty() || !room.devices_to_add(d).empty()) return;
    for (std::size_t u = 0; u < matrix.federation().room().users().size(); ++u) {
      if (!room.joined_at_server(d, u)) continue;
      const dev::DeviceIndex first = room.first_device(u);
      for (dev::DeviceIndex k = first; k < first + room.device_count(u); ++k) {
        if (!room.online(k)) continue;
        const models::mls::Group* other = room.group(k);
        if (other == nullptr || other->epoch_authenticator() != key) return;
      }
    }
    for (MlsHeal& h : heals) {
      if (h.converged == kNever) h.converged = sim.now();
    }
  }
  // The same for the epoch most online devices are in.
  void check_mls_convergence() {
    std::size_t best = 0;
    std::optional<dev::DeviceIndex> pick;
    for (dev::DeviceIndex d = 0; d < room.device_count(); ++d) {
      const models::mls::Group* g = room.group(d);
      if (g == nullptr || !room.online(d)) continue;
      const std::size_t n = room.devices_in_epoch(g->epoch_authenticator());
      if (n > best) {
        best = n;
        pick = d;
      }
    }
    if (pick) check_mls_convergence(*pick);
  }

  // Key updates: one Poisson process for the room at rate x devices; each draw picks a device.
  // Like the rest of the workload, from workload.start and not at or after workload.stop.
  void schedule_key_update() {
    const double rate = key_update_rate * static_cast<double>(room.device_count());
    if (rate <= 0) return;
    const models::matrix::WorkloadConfig& w = matrix.workload().config();
    const sim::SimTime from = std::max(sim.now(), w.start);
    const sim::SimTime gap = sim::SimTime::from_seconds(key_updates.exponential(1.0 / rate));
    if (from + gap >= std::min(w.stop, scenario.duration)) return;
    sim.schedule_at(from + gap, [this] {
      const auto d = static_cast<dev::DeviceIndex>(key_updates.uniform_index(room.device_count()));
      if (room.online(d) && room.group(d) != nullptr) {
        ++key_updates_due;
        room_strategy->key_update(d);
      }
      schedule_key_update();
    });
  }

  const Scenario& scenario;
  sim::Simulation& sim;
  sim::MetricsRecorder& metrics;
  MatrixRun& matrix;
  sim::ClientLinks links;
  dev::ClientSync sync;
  std::unique_ptr<consensus::Strategy> strategy;
  dev::EncryptedRoom room;
  std::unique_ptr<consensus::RoomStrategy> room_strategy;
  std::unique_ptr<DeviceSessions> sessions;
  dev::PcsTracker pcs{room};
  std::vector<EncryptedSetup::Compromise> absent_compromises;
  sim::RandomStream key_updates;
  double key_update_rate = 0;
  std::uint64_t key_updates_due = 0;
  bool per_reader = false;
  std::unique_ptr<DeviceEpochLog> device_epochs;  // with metrics.device_epochs
  std::vector<MlsHeal> heals;

  // reader_outcomes: a row per (message, expected reader), then one per unauthorized read.
  void write_per_reader() {
    const dev::ReadLedger& ledger = room.ledger();
    const auto& store = matrix.federation().room().store();
    sim::Table& rows = metrics.table(
        "reader_outcomes",
        {"event", "sent_s", "sender", "reader", "expected", "outcome", "cause", "delay_s"});
    for (std::uint32_t m = 0; m < ledger.message_count(); ++m) {
      const dev::SentMessage& msg = ledger.message(m);
      for (dev::DeviceIndex d = 0; d < ledger.devices_at_send(m); ++d) {
        if (!ledger.expected(m, d)) continue;
        const dev::ReadOutcome o = ledger.outcome(m, d);
        sim::Cell delay = std::string();
        if (o == dev::ReadOutcome::kRead) delay = ledger.read_delay_ms(m, d) / 1000.0;
        rows.add_row({store[msg.event].event_id, msg.sent, room.device(msg.sender).name(),
                      room.device(d).name(), std::int64_t{1}, dev::to_string(o),
                      o == dev::ReadOutcome::kUnreadable ? dev::to_string(ledger.cause(m, d)) : "",
                      delay});
      }
    }
    for (const dev::UnauthorizedRead& u : ledger.unauthorized()) {
      const dev::SentMessage& msg = ledger.message(u.message);
      rows.add_row({store[msg.event].event_id, msg.sent, room.device(msg.sender).name(),
                    room.device(u.reader).name(), std::int64_t{0}, "read", "",
                    (u.at - msg.sent).seconds()});
    }
  }
};

EncryptedRun::EncryptedRun(const RunContext& context, const EncryptedSetup& setup)
    : state_(std::make_unique<State>(context, setup)) {}

EncryptedRun::~EncryptedRun() = default;

dev::EncryptedRoom& EncryptedRun::room() {
  return state_->room;
}

void EncryptedRun::on_fault(const sim::FaultRecord& record) {
  if (record.kind != "heal") return;
  State& s = *state_;
  s.heals.push_back(State::MlsHeal{record.at, "heal " + record.target,
                                   static_cast<std::uint32_t>(s.room.ledger().message_count())});
  s.check_mls_convergence();  // already converged: at the heal
}

void EncryptedRun::finish(nlohmann::json& summary, std::vector<SummaryMetric>& metrics,
                          std::vector<std::pair<std::string, std::string>>& /*files*/) {
  dev::EncryptedRoom& room = state_->room;
  room.close_ledger();
  room.advance_clocks(state_->sim.now());
  const dev::ReadLedger::Totals t = room.ledger().totals();
  sim::Table& reads = state_->metrics.table("reads", {"outcome", "cause", "pairs"});
  for (int o = 0; o < 4; ++o) {
    const auto outcome = static_cast<dev::ReadOutcome>(o);
    if (outcome == dev::ReadOutcome::kUnreadable) {
      for (std::size_t c = 0; c < dev::kUnreadableCauses; ++c) {
        reads.add_row({dev::to_string(outcome),
                       dev::to_string(static_cast<dev::UnreadableCause>(c)),
                       static_cast<std::int64_t>(t.by_cause[c])});
      }
    } else {
      reads.add_row(
          {dev::to_string(outcome), std::string(), static_cast<std::int64_t>(t.by_outcome[o])});
    }
  }
  // Bytes on the client-server hop by class (the federation's are in traffic.csv).
  sim::Table& client_traffic =
      state_->metrics.table("client_traffic", {"class", "messages", "bytes", "failed"});
  for (std::size_t c = 0; c < state_->links.class_names().size(); ++c) {
    const auto& t = state_->links.traffic(static_cast<sim::MessageClass>(c));
    client_traffic.add_row({state_->links.class_names()[c], static_cast<std::int64_t>(t.messages),
                            static_cast<std::int64_t>(t.bytes),
                            static_cast<std::int64_t>(t.failed)});
  }
  sim::Table& commits = state_->metrics.table("mls_commits", {"fate", "processings"});
  for (int f = 0; f < dev::kCommitFates; ++f) {
    commits.add_row({dev::to_string(static_cast<dev::CommitFate>(f)),
                     static_cast<std::int64_t>(room.counts().commit_fates[f])});
  }
  const auto count = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
  const std::uint64_t read = t.by_outcome[static_cast<int>(dev::ReadOutcome::kRead)];
  const std::uint64_t unreadable = t.by_outcome[static_cast<int>(dev::ReadOutcome::kUnreadable)];
  const std::uint64_t waiting = t.by_outcome[static_cast<int>(dev::ReadOutcome::kWaiting)];
  const std::uint64_t undelivered = t.by_outcome[static_cast<int>(dev::ReadOutcome::kNotDelivered)];
  nlohmann::json e2ee = {
      {"devices", room.device_count()},
      {"messages", room.ledger().message_count()},
      {"reader_pairs", t.pairs},
      {"read", read},
      {"unreadable", unreadable},
      {"waiting", waiting},
      {"not_delivered", undelivered},
      {"unauthorized_reads", room.ledger().unauthorized().size()},
      {"commits_sent", room.counts().commits_sent},
      {"key_updates_due", state_->key_updates_due},
      {"sends_failed", room.counts().sends_failed},
      {"key_packages_claimed", room.counts().key_packages_claimed},
      {"last_resort_used", room.counts().last_resort_used},
      {"key_claims_failed", room.counts().claims_failed},
      {"welcomes_sent", room.counts().welcomes_sent},
      {"commits_fetched", room.counts().commits_fetched},
      {"welcomes_via_media", room.counts().media_uploads},
      {"media_downloads", room.counts().media_downloads},
      {"media_downloads_failed", room.counts().media_downloads_failed},
      {"media_fetches", room.counts().media_fetches},
      {"media_fetches_failed", room.counts().media_fetches_failed},
      {"events_over_limit", room.counts().events_over_limit},
      {"rejoins_asked", room.counts().rejoins_asked},
      {"rejoins_no_tree", room.counts().rejoins_no_tree},
      {"rejoins_sent", room.counts().rejoins_sent},
      {"rejoins_won", room.counts().rejoins_won},
      {"rejoins_lost", room.counts().rejoins_lost},
      {"rejoins_abandoned", room.counts().rejoins_abandoned},
      {"joins", room.counts().joins},
      {"join_failures", room.counts().join_failures},
      {"session_switches", state_->sessions->switches()},
      {"online_user_s", state_->sessions->online_user_seconds()},
      {"send_user_s", state_->sessions->send_user_seconds()},
  };
  // MLS stages of every heal; a stage not reached is censored by the end of the run.
  sim::Table& heals = state_->metrics.table(
      "mls_heals",
      {"heal", "time_s", "cause", "mls_converged_s", "first_message_readable_s", "status"});
  const auto stage = [&](sim::SimTime at, sim::SimTime reached) -> sim::Cell {
    if (reached == State::kNever) return std::string();
    return (reached - at).seconds();
  };
  for (std::size_t i = 0; i < state_->heals.size(); ++i) {
    const State::MlsHeal& h = state_->heals[i];
    const char* status = h.converged == State::kNever ? "MLS not converged before the end"
                         : h.readable == State::kNever
                             ? "MLS converged, no message readable by all before the end"
                             : "converged";
    heals.add_row({static_cast<std::int64_t>(i), h.at, h.cause, stage(h.at, h.converged),
                   stage(h.at, h.readable), std::string(status)});
  }
  for (const auto& [name, label, pick] :
       {std::tuple{"first_heal_mls_converged_s", "first heal: MLS converged (s)", 0},
        std::tuple{"first_heal_message_readable_s", "first heal: read by all (s)", 1}}) {
    SummaryMetric m{name, label, MetricUnit::kSeconds};
    m.applies = !state_->heals.empty();
    if (m.applies) {
      const State::MlsHeal& h = state_->heals.front();
      const sim::SimTime reached = pick == 0 ? h.converged : h.readable;
      if (reached != State::kNever) {
        m.value = (reached - h.at).seconds();
      } else {
        m.lower_bound = (state_->scenario.duration - h.at).seconds();
      }
    }
    metrics.push_back(m);
  }
  // Compromises and their PCS lag (censored when not healed by the end).
  sim::Table& compromised =
      state_->metrics.table("compromises", {"device", "time_s", "pcs_lag_s", "status"});
  for (const dev::PcsTracker::Compromise& c : state_->pcs.compromises()) {
    compromised.add_row(
        {room.device(c.device).name(), c.at,
         c.healed ? sim::Cell((*c.healed - c.at).seconds()) : sim::Cell(std::string()),
         std::string(c.healed ? "healed" : "not healed before the end")});
  }
  for (const EncryptedSetup::Compromise& c : state_->absent_compromises) {
    compromised.add_row({c.device, c.at, std::string(), std::string("no such device (not drawn)")});
  }
  e2ee["compromises"] = state_->pcs.compromises().size();
  // Membership at the end, MLS against Matrix, per device of a user joined at its own server.
  const MembershipView divergence = membership_view(room, false);
  e2ee["epochs_at_end"] = divergence.epochs;
  e2ee["stale_groups_at_end"] = divergence.stale_groups;
  e2ee["member_devices_at_end"] = divergence.devices;
  e2ee["membership_diverged_devices"] = divergence.diverged;
  e2ee["mls_extra_members"] = divergence.extra;
  e2ee["mls_missing_members"] = divergence.missing;
  SummaryMetric diverged{"e2ee_membership_diverged_fraction", "MLS membership diverged at end",
                         MetricUnit::kFraction};
  diverged.applies = divergence.devices > 0;
  if (diverged.applies) {
    diverged.value =
        static_cast<double>(divergence.diverged) / static_cast<double>(divergence.devices);
  }
  metrics.push_back(diverged);
  metrics.push_back({"e2ee_epochs_at_end", "epochs in use at the end", MetricUnit::kCount,
                     count(divergence.epochs)});
  write_forks(room, state_->metrics, e2ee, metrics);
  write_secrets_held(room, state_->metrics, e2ee, metrics);
  SummaryMetric pcs_lag{"first_compromise_pcs_lag_s", "first compromise: PCS lag (s)",
                        MetricUnit::kSeconds};
  pcs_lag.applies = !state_->pcs.compromises().empty();
  if (pcs_lag.applies) {
    const dev::PcsTracker::Compromise& c = state_->pcs.compromises().front();
    if (c.healed) {
      pcs_lag.value = (*c.healed - c.at).seconds();
    } else {
      pcs_lag.lower_bound = (state_->scenario.duration - c.at).seconds();
    }
  }
  metrics.push_back(pcs_lag);
  summary["e2ee"] = e2ee;
  if (state_->per_reader) state_->write_per_reader();
  if (state_->device_epochs) state_->device_epochs->write(state_->metrics);
  metrics.push_back({"e2ee_messages", "encrypted messages sent", MetricUnit::kCount,
                     count(room.ledger().message_count())});
  // Send availability: the fraction of user-time with an online device holding an active group.
  SummaryMetric availability{"e2ee_send_availability", "send availability (user-time)",
                             MetricUnit::kFraction};
  const double user_time = static_cast<double>(state_->matrix.federation().room().users().size()) *
                           state_->scenario.duration.seconds();
  availability.applies = user_time > 0;
  if (user_time > 0) availability.value = state_->sessions->send_user_seconds() / user_time;
  metrics.push_back(availability);
  SummaryMetric fraction{"e2ee_read_fraction", "expected reads done", MetricUnit::kFraction};
  fraction.applies = t.pairs > 0;
  if (t.pairs > 0) fraction.value = static_cast<double>(read) / static_cast<double>(t.pairs);
  metrics.push_back(fraction);
  metrics.push_back(
      {"e2ee_unreadable", "reader pairs unable to decrypt", MetricUnit::kCount, count(unreadable)});
  metrics.push_back({"e2ee_not_delivered", "reader pairs never delivered", MetricUnit::kCount,
                     count(undelivered + waiting)});
  metrics.push_back({"e2ee_unauthorized_reads", "unauthorized reads", MetricUnit::kCount,
                     count(room.ledger().unauthorized().size())});
  for (const auto& [q, name] : {std::pair{0.5, "p50"}, std::pair{0.95, "p95"}}) {
    SummaryMetric delay{std::string("e2ee_read_delay_") + name + "_s",
                        std::string("read delay ") + name + " (s)", MetricUnit::kSeconds};
    delay.applies = t.reads() > 0;
    if (t.reads() > 0) delay.value = t.delay_quantile_ms(q) / 1000.0;
    metrics.push_back(delay);
  }
  metrics.push_back({"e2ee_commits_sent", "MLS commits sent", MetricUnit::kCount,
                     count(room.counts().commits_sent)});
  metrics.push_back({"e2ee_commits_lost", "commit processings lost (stale)", MetricUnit::kCount,
                     count(room.counts().commit_fates[static_cast<int>(dev::CommitFate::kStale)])});
}

}  // namespace dmlssim::scenarios
