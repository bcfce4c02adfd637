// The three truths of an encrypted room over time (DESIGN §1): per server its DAG, per device its
// epoch and MLS membership, the strategy's log — as gauges in timeseries.csv and, with
// metrics.device_epochs, a row per change of a device's epoch.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "scenarios/room_truths.hpp"
#include "scenarios/run.hpp"
#include "scenarios/scenario_loader.hpp"
#include "tests/models/device/encrypted_world.hpp"

using namespace dmlssim::scenarios;

namespace {

// 4 servers x 3 users x 2 devices (24 devices, always online), split west | east from 10m to
// 30m; key updates make commits on both sides.
std::string split(const std::string& strategy, const std::string& metrics = "") {
  return "name: truths\nduration: 1h\nseed: 5\n"
         "topology: {servers: 4, regions: {eu: 2, us: 2}, latency: wan-3-regions}\n"
         "room: {users_per_server: 3, devices_per_user: 2}\n"
         "workload: {messages: {room: 2/min}, key_updates: 1/h, stop: 50m}\n"
         "federation: {probe_interval: 30s}\n"
         "mls: {crypto: fast}\n"
         "faults:\n  - {at: 10m, partition: {west: [eu], east: [us]}, for: 20m}\n"
         "strategy: " +
         strategy + "\n" + metrics;
}

// gauge -> (time_s -> value)
std::map<std::string, std::map<double, double>> gauges(const RunResult& r) {
  std::map<std::string, std::map<double, double>> out;
  for (const auto& row : r.metrics.tables().at("gauges").rows())
    out[std::get<std::string>(row[1])][std::get<dmlssim::sim::SimTime>(row[0]).seconds()] =
        std::get<double>(row[2]);
  return out;
}

double max_between(const std::map<double, double>& series, double from, double to) {
  double m = 0;
  for (const auto& [t, v] : series) {
    if (t >= from && t <= to) m = std::max(m, v);
  }
  return m;
}

std::int64_t e2ee(const RunResult& r, const std::string& key) {
  return r.summary.at("e2ee").at(key).get<std::int64_t>();
}

}  // namespace

TEST_CASE(
    "three truths over time: a split shows two DAG heads and two epochs — dmls brings both back "
    "to one, and the last sample agrees with the end-of-run counts",
    "[scenarios][e2ee][truths]") {
  const std::string strategy = GENERATE(std::string("dmls"), std::string("mls_first_seen"));
  const RunResult r = run_scenario(load_scenario_text(split(strategy), "truths.yaml"), 0);
  auto g = gauges(r);
  for (const char* name : {"dag_heads", "mls_member_devices", "mls_epochs", "mls_diverged_devices",
                           "strategy_log_entries"}) {
    REQUIRE(g.count(name) == 1);
    CHECK(g.at(name).size() == 61);  // 0, 1m, ..., 60m
  }
  // At the start: one DAG, one group of all 24 devices, nobody diverged.
  CHECK(g.at("dag_heads").at(0) == 1);
  CHECK(g.at("mls_epochs").at(0) == 1);
  CHECK(g.at("mls_member_devices").at(0) == 24);
  CHECK(g.at("mls_diverged_devices").at(0) == 0);
  // During the split each side extends its own DAG and commits on its own epoch.
  CHECK(max_between(g.at("dag_heads"), 660, 1800) >= 2);
  CHECK(max_between(g.at("mls_epochs"), 660, 1800) >= 2);
  CHECK(max_between(g.at("strategy_log_entries"), 0, 3600) == 0);  // neither keeps a log
  // The last sample (every device online) is the end-of-run view.
  CHECK(g.at("mls_member_devices").at(3600) == e2ee(r, "member_devices_at_end"));
  CHECK(g.at("mls_epochs").at(3600) == e2ee(r, "epochs_at_end"));
  CHECK(g.at("mls_diverged_devices").at(3600) == e2ee(r, "membership_diverged_devices"));
  CHECK(g.at("dag_heads").at(3600) == 1);  // the DAG healed under both
  if (strategy == "dmls") {
    CHECK(g.at("mls_epochs").at(3600) == 1);
    CHECK(g.at("mls_diverged_devices").at(3600) == 0);
  } else {
    CHECK(g.at("mls_epochs").at(3600) == 2);  // the control's divergence is reported
  }
}

TEST_CASE(
    "device_epochs.csv: a row per change of a device's epoch, from epoch 0 at time 0 to the "
    "epoch each device ends in",
    "[scenarios][e2ee][truths]") {
  const std::string strategy = GENERATE(std::string("dmls"), std::string("mls_first_seen"));
  const RunResult plain = run_scenario(load_scenario_text(split(strategy), "truths.yaml"), 0);
  CHECK(plain.metrics.tables().count("device_epochs") == 0);  // off by default
  const RunResult r = run_scenario(
      load_scenario_text(split(strategy, "metrics: {device_epochs: true}\n"), "truths.yaml"), 0);
  // An observation only: the run is the same.
  CHECK(r.summary.dump() == plain.summary.dump());
  struct Row {
    double at;
    std::string epoch, commit, members;
  };
  const auto text = [](const auto& cell) -> std::string {
    if (const auto* s = std::get_if<std::string>(&cell)) return *s;
    if (const auto* i = std::get_if<std::int64_t>(&cell)) return std::to_string(*i);
    FAIL("unexpected cell");
    return "";
  };
  std::map<std::string, std::vector<Row>> by_device;
  for (const auto& row : r.metrics.tables().at("device_epochs").rows()) {
    by_device[std::get<std::string>(row[1])].push_back(
        {std::get<double>(row[0]), text(row[2]), text(row[3]), text(row[4])});
  }
  REQUIRE(by_device.size() == 24);
  std::set<std::string> last_epochs;
  for (const auto& [device, rows] : by_device) {
    // Epoch 0 of the 24 devices, no commit, at time 0.
    CHECK(rows.front().at == 0);
    CHECK(rows.front().epoch == "0");
    CHECK(rows.front().commit.empty());
    CHECK(rows.front().members == "24");
    for (std::size_t i = 1; i < rows.size(); ++i) {
      CHECK(rows[i].at >= rows[i - 1].at);
      CHECK(rows[i].commit != rows[i - 1].commit);  // each row is a change of epoch
      CHECK(rows[i].commit.rfind('$', 0) == 0);     // named by the commit event's ID
    }
    CHECK(rows.size() > 1);  // the key updates moved every device on
    last_epochs.insert(rows.back().commit);
  }
  // Recounted from the rows: the distinct epochs the devices end in (commit event IDs here,
  // epoch authenticators in the summary).
  CHECK(static_cast<std::int64_t>(last_epochs.size()) == e2ee(r, "epochs_at_end"));
}

namespace {

// membership_view recounted device by device from the room's own questions (what its server's
// state says, what its group's leaves are): the definition in docs/metrics.md, without sharing.
MembershipView recount(const dmlssim::models::device::EncryptedRoom& room, bool online_only) {
  MembershipView out;
  std::set<dmlssim::models::mls::Bytes, dmlssim::models::mls::BytesLess> epochs;
  for (dmlssim::models::device::DeviceIndex d = 0; d < room.device_count(); ++d) {
    if (online_only && !room.online(d)) continue;
    const dmlssim::models::mls::Group* g = room.group(d);
    if (!room.joined_at_server(d, room.user_of(d))) {
      out.stale_groups += g != nullptr ? 1 : 0;
      continue;
    }
    ++out.devices;
    if (g == nullptr) {
      ++out.diverged;
      continue;
    }
    epochs.insert(g->epoch_authenticator());
    const std::size_t extra = room.leaves_to_remove(d).size();
    const std::size_t missing = room.devices_to_add(d).size();
    out.extra += extra;
    out.missing += missing;
    out.diverged += extra + missing > 0 ? 1 : 0;
  }
  out.epochs = epochs.size();
  return out;
}

}  // namespace

TEST_CASE(
    "membership view: the shared count (one walk per server state, one per epoch) equals a "
    "device-by-device recount, extra and missing leaves, stale groups and offline devices",
    "[scenarios][e2ee][truths]") {
  namespace mls = dmlssim::models::mls;
  dmlssim::testing::EncryptedWorld e;  // 3 servers x 2 users x 2 devices
  e.w.partition({0, 1, 1});            // s0 | s1 s2
  // s0 alone holds @u1:s2 kicked; s1 and s2 alone hold @u1:s1 gone.
  REQUIRE(e.w.send(0, 1, "m.room.member", "@u1:s2", {{"membership", "leave"}}) !=
          dmlssim::models::matrix::kNoEvent);
  REQUIRE(e.w.send(1, 1, "m.room.member", "@u1:s1", {{"membership", "leave"}}) !=
          dmlssim::models::matrix::kNoEvent);
  // A device of s0 removes @u1:s1's devices (leaves 6 and 7), whom its server still holds joined.
  mls::CommitOptions options;
  for (const mls::LeafIndex leaf : {6u, 7u})
    options.by_value.push_back(mls::Proposal{mls::RemoveProposal{leaf}});
  REQUIRE(e.room.commit(0, options).sent);
  e.run_for(10);
  e.links.set_online(e.room.endpoint(5), false);
  e.run_for(1);
  for (const bool online_only : {false, true}) {
    const MembershipView view = membership_view(e.room, online_only);
    const MembershipView expected = recount(e.room, online_only);
    CHECK(view.devices == expected.devices);
    CHECK(view.diverged == expected.diverged);
    CHECK(view.extra == expected.extra);
    CHECK(view.missing == expected.missing);
    CHECK(view.epochs == expected.epochs);
    CHECK(view.stale_groups == expected.stale_groups);
  }
  // By hand: s0's 4 devices (epoch 1) lack 6 and 7 and hold @u1:s2's 10 and 11; s1's @u0:s1
  // devices (4, 5) and s2's @u0:s2 (8, 9) hold 6 and 7 of a user gone there; @u1:s2's devices
  // (10, 11) are joined at s2 and diverge the same way; 6 and 7 keep a stale group.
  const MembershipView all = membership_view(e.room, false);
  CHECK(all.devices == 10);
  CHECK(all.epochs == 2);
  CHECK(all.stale_groups == 2);
  CHECK(all.diverged == 10);
  CHECK(all.extra == 4 * 2 + 6 * 2);
  CHECK(all.missing == 4 * 2);
  CHECK(membership_view(e.room, true).devices == 9);  // device 5 is offline
}
