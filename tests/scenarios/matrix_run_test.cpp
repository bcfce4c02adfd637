// A scenario with a Matrix room, run end to end: heal measurements, tables, DAG files,
// determinism, and the shipped scenarios/matrix-netsplit.yaml.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "models/matrix/canonical_json.hpp"
#include "models/matrix/event_id.hpp"
#include "models/matrix/stateres_cases.hpp"
#include "scenarios/experiment.hpp"
#include "scenarios/matrix_part.hpp"
#include "scenarios/scenario_loader.hpp"
#include "tests/scenarios/result_files.hpp"

using namespace dmlssim::scenarios;
namespace fs = std::filesystem;
namespace mx = dmlssim::models::matrix;

namespace {

const char* kScenario = R"(name: split
duration: 2h
runs: 2
topology:
  servers: 6
  regions: {eu: 3, us: 3}
  latency: wan-3-regions
room: {version: "11", users_per_server: 3, admins: 1, moderators: 1}
workload: {messages: 20/h, topics: 4/h, membership: 2/h, invites: 4/h, kicks: 2/h, bans: 2/h,
           power_levels: 2/h}
faults:
  - {at: 30m, partition: {west: [eu], east: [us]}, for: 30m}
metrics: {interval: 5m, room_dag: true, room_cases: true}
)";

fs::path fresh_dir(const std::string& name) {
  return dmlssim::testing::fresh_dir("dmlssim-matrix", name);
}

using dmlssim::testing::slurp;

std::vector<std::vector<std::string>> csv_rows(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(slurp(p));
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream l(line);
    while (std::getline(l, cell, ','))
      cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace

TEST_CASE("a split room heals, and the heal is measured in its stages", "[matrix][experiment]") {
  const Scenario s = load_scenario_text(kScenario, "split.yaml");
  REQUIRE((s.setup<MatrixSetup>() != nullptr));
  const fs::path dir = fresh_dir("heal");
  const auto summaries = run_experiment(s, {dir, 1});
  for (const auto& summary : summaries) {
    const nlohmann::json& m = summary["matrix"];
    CHECK(m["room_version"] == "11");
    CHECK(m["heals"] == 1);
    const nlohmann::json& heal = m["first_heal"];
    REQUIRE(heal.is_object());
    CHECK(heal["time_s"] == 3600.0);
    CHECK(heal["missing_at_heal"].get<int>() > 0);
    // Back-off wait and catch-up add up to the time to DAG convergence; states agree no earlier.
    CHECK(heal["backoff_wait_s"].get<double>() + heal["catchup_s"].get<double>() ==
          Approx(heal["dag_converged_s"].get<double>()).margin(1e-6));
    CHECK(heal["state_converged_s"].get<double>() >= heal["dag_converged_s"].get<double>());
    // With Synapse's defaults nothing crosses before a back-off expires: at most the 10-minute
    // first interval plus one wake-up period after the first failure.
    CHECK(heal["dag_converged_s"].get<double>() < 3600);
    CHECK(heal["catchup_bytes"].get<double>() > 0);
  }
  const fs::path run0 = dir / "run-0000";
  // The split-state table lists keys whose values differed, from both sides.
  const auto split = csv_rows(run0 / "matrix_split_state.csv");
  REQUIRE(split.size() > 2);
  CHECK(split[0] == std::vector<std::string>{"scenario", "strategy", "run", "heal", "time_s",
                                             "type", "state_key", "side", "event_id", "servers"});
  std::set<std::string> sides;
  for (std::size_t i = 1; i < split.size(); ++i)
    sides.insert(split[i][7]);
  CHECK(sides == std::set<std::string>{"s0", "s3"});
  // Every kind of action of the workload happened.
  std::set<std::string> sent;
  for (const auto& row : csv_rows(run0 / "matrix_actions.csv")) {
    if (row.size() > 5 && row[4] == "sent") sent.insert(row[3]);
  }
  for (const char* kind :
       {"message", "topic", "join", "leave", "invite", "kick", "ban", "power_levels"}) {
    CAPTURE(kind);
    CHECK(sent.count(kind) == 1);
  }
  // Traffic by federation request kind.
  const std::string traffic = slurp(run0 / "traffic.csv");
  for (const char* cls : {"fed_send", "fed_get_missing_events", "fed_backfill"}) {
    CHECK(traffic.find(cls) != std::string::npos);
  }
  // summary.csv carries the first heal's stages.
  const auto summary_rows = csv_rows(dir / "summary.csv");
  REQUIRE(summary_rows.size() == 3);
  CHECK(summary_rows[0][12] == "first_heal_catchup_s");
  CHECK(!summary_rows[1][12].empty());
  fs::remove_all(dir);
}

TEST_CASE("the room DAG is written for tardis and as a state-resolution case",
          "[matrix][experiment]") {
  LoadOptions o;
  o.overrides = {"runs=1"};
  const Scenario s = load_scenario_text(kScenario, "split.yaml", o);
  const fs::path dir = fresh_dir("dag");
  const auto summaries = run_experiment(s, {dir, 1});
  const fs::path run0 = dir / "run-0000";
  std::istringstream lines(slurp(run0 / "room-0.ndjson"));
  std::set<std::string> seen;
  std::size_t n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    nlohmann::json pdu = nlohmann::json::parse(line);
    // Canonical JSON, federation fields, parents before children, IDs that are reference hashes.
    CHECK(mx::canonical_json(pdu) == line);
    for (const char* field : {"type", "sender", "content", "depth", "prev_events", "auth_events",
                              "origin_server_ts", "hashes", "event_id"}) {
      CHECK(pdu.contains(field));
    }
    for (const auto& p : pdu["prev_events"])
      CHECK(seen.count(p.get<std::string>()) == 1);
    const std::string id = pdu["event_id"];
    pdu.erase("event_id");
    CHECK(mx::event_id(pdu, mx::room_v11()) == id);
    seen.insert(id);
  }
  CHECK(n == summaries[0]["matrix"]["events_sent"].get<std::size_t>());
  // The DAG case's expected state is the resolution of its leaves; evaluating it agrees.
  // So does each heal's merge of the sides' states.
  const auto results = mx::evaluate_cases(nlohmann::json::parse(slurp(run0 / "room-0.cases.json")));
  REQUIRE(results.size() == 2);
  CHECK(results[0].kind == "dag");
  CHECK(results[1].kind == "state_sets");
  CHECK(results[1].name == "split/run-0/heal-0");
  for (const auto& r : results)
    CHECK(r.passed());
  fs::remove_all(dir);
}

TEST_CASE("matrix runs are deterministic for any --jobs", "[matrix][experiment][determinism]") {
  const Scenario s = load_scenario_text(kScenario, "split.yaml");
  const fs::path a = fresh_dir("a"), b = fresh_dir("b");
  run_experiment(s, {a, 1});
  run_experiment(s, {b, 2});
  for (const char* file :
       {"run-0001/room-0.ndjson", "run-0001/matrix_heals.csv", "run-0000/matrix_actions.csv",
        "run-0001/timeseries.csv", "summary.csv"}) {
    CAPTURE(file);
    CHECK(slurp(a / file) == slurp(b / file));
    CHECK(!slurp(a / file).empty());
  }
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST_CASE("a room without faults has no heal — the resolved scenario reloads",
          "[matrix][experiment]") {
  LoadOptions o;
  o.overrides = {"faults=[]", "runs=1"};
  const Scenario s = load_scenario_text(kScenario, "split.yaml", o);
  const Scenario again = load_scenario_text(resolved_yaml(s), "resolved.yaml");
  CHECK(resolved_yaml(again) == resolved_yaml(s));
  REQUIRE((again.setup<MatrixSetup>() != nullptr));
  CHECK(again.setup<MatrixSetup>()->version->id == "11");
  const fs::path dir = fresh_dir("noheal");
  const auto summaries = run_experiment(s, {dir, 1});
  CHECK(summaries[0]["matrix"]["heals"] == 0);
  CHECK(summaries[0]["matrix"]["first_heal"].is_null());
  fs::remove_all(dir);
}

TEST_CASE("room.state_resolution chooses the servers' resolution semantics",
          "[matrix][experiment]") {
  CHECK(load_scenario_text(kScenario, "split.yaml").setup<MatrixSetup>()->resolution.auth_chain ==
        mx::AuthChainConvention::kExcludeSelf);
  LoadOptions o;
  o.overrides = {"room.state_resolution=synapse", "runs=1"};
  const Scenario s = load_scenario_text(kScenario, "split.yaml", o);
  CHECK(s.setup<MatrixSetup>()->resolution.auth_chain == mx::AuthChainConvention::kIncludeSelf);
  CHECK(s.setup<MatrixSetup>()->resolution.rejected == mx::RejectedEventPolicy::kSkip);
  const fs::path dir = fresh_dir("synapse");
  const auto summaries = run_experiment(s, {dir, 1});
  CHECK(summaries[0]["matrix"]["first_heal"]["dag_converged_s"].is_number());
  fs::remove_all(dir);
}

TEST_CASE("scenarios/matrix-netsplit.yaml loads and runs", "[matrix][experiment]") {
  LoadOptions o;
  o.overrides = {"runs=1"};
  const Scenario s =
      load_scenario_file(std::string(DMLSSIM_SOURCE_DIR) + "/scenarios/matrix-netsplit.yaml", o);
  CHECK(s.topology.servers == 20);
  REQUIRE((s.setup<MatrixSetup>() != nullptr));
  CHECK(s.setup<MatrixSetup>()->federation.min_retry_interval == dmlssim::sim::kMinute * 10);
  const fs::path dir = fresh_dir("netsplit");
  const auto summaries = run_experiment(s, {dir, 1});
  CHECK(summaries[0]["matrix"]["first_heal"]["dag_converged_s"].is_number());
  fs::remove_all(dir);
}

TEST_CASE("a room-wide message rate does not grow with the servers", "[matrix][experiment]") {
  // Messages per room: about rate x duration whatever the size of the room; per user: times
  // the users.
  auto messages_sent = [](std::size_t servers, const std::string& rate) {
    const std::string text =
        "name: rate\nduration: 2h\ntopology: {servers: " + std::to_string(servers) +
        "}\nroom: {users_per_server: 3}\nworkload: {messages: " + rate + "}\n";
    const Scenario s = load_scenario_text(text, "rate.yaml");
    const fs::path dir = fresh_dir("rate-" + std::to_string(servers));
    run_experiment(s, {dir, 1});
    std::int64_t sent = 0;
    for (const auto& row : csv_rows(dir / "run-0000" / "matrix_actions.csv")) {
      if (row.size() > 6 && row[3] == "message" && row[4] == "sent") sent = std::stoll(row[6]);
    }
    fs::remove_all(dir);
    return sent;
  };
  // Poisson with mean 120: 99.99 % of draws lie within 120 +- 45.
  for (const std::size_t servers : {4, 40}) {
    CAPTURE(servers);
    const std::int64_t room = messages_sent(servers, "{room: 60/h}");
    CHECK(room > 75);
    CHECK(room < 165);
  }
  // 40 servers x 3 users x 1/h x 2 h: mean 240.
  const std::int64_t per_user = messages_sent(40, "{per_user: 1/h}");
  CHECK(per_user > 175);
  CHECK(per_user < 305);
  CHECK(messages_sent(40, "1/h") == per_user);  // a bare rate is per user, as before
}

TEST_CASE("the resolved scenario fills in workload.stop", "[matrix][loader]") {
  const Scenario s = load_scenario_text(kScenario, "split.yaml");
  CHECK(s.resolved["workload"]["stop"].as<std::string>() == "2h");
  CHECK(s.setup<MatrixSetup>()->workload.stop == s.duration);
}

TEST_CASE("a nested split healed from the inside is a heal of its own two sides",
          "[matrix][experiment]") {
  // An outer split (west | east) holds for three hours; inside it, west is split again and
  // healed after 20 minutes. That inner heal merges two components only, and converges among
  // their servers without waiting for the outer heal.
  const char* text = R"(name: nested
duration: 4h
topology: {servers: 12, regions: {west: 6, east: 6}, latency: 20ms}
room: {users_per_server: 2}
workload: {messages: {room: 120/h}}
faults:
  - {at: 30m, partition: {w: [west], e: [east]}, for: 3h, name: outer}
  - {at: 40m, partition: {a: [s0-s2], b: [s3-s11]}, name: inner}
  - {at: 1h, heal: inner}
)";
  const Scenario s = load_scenario_text(text, "nested.yaml");
  const fs::path dir = fresh_dir("nested");
  run_experiment(s, {dir, 1});
  const auto rows = csv_rows(dir / "run-0000" / "matrix_heals.csv");
  REQUIRE(rows.size() == 3);  // header, the inner heal, the outer heal
  CHECK(rows[0][7] == "sides");
  CHECK(rows[0][8] == "merged");
  CHECK(rows[1][4] == "3600");
  CHECK(rows[1][6] == "heal inner");
  CHECK(rows[1][7] == "2");
  CHECK(rows[1][8] == "s0+s3");
  CHECK(rows[1].back() == "converged");
  CHECK(std::stod(rows[1][12]) < 1800);  // DAG converged well before the outer heal (at 3h30m)
  CHECK(rows[2][4] == "12600");
  CHECK(rows[2][6] == "heal outer");
  CHECK(rows[2][7] == "2");
  CHECK(rows[2][8] == "s0+s6");
  fs::remove_all(dir);
}

TEST_CASE("a restart and a link recovery are reconnections, measured and named by their fault",
          "[matrix][experiment]") {
  const char* text = R"(name: reconnect
duration: 2h
topology: {servers: 6, latency: 20ms}
room: {users_per_server: 2}
workload: {messages: {room: 120/h}}
faults:
  - {at: 30m, crash: s2, for: 20m}
  - {at: 1h, link_down: [s0, s1], for: 10m}
  - {at: 1h20m, partition: {a: [s0-s2], b: [s3-s5]}, for: 10m, name: split}
)";
  const Scenario s = load_scenario_text(text, "reconnect.yaml");
  const fs::path dir = fresh_dir("reconnect");
  const auto summaries = run_experiment(s, {dir, 1});
  const auto rows = csv_rows(dir / "run-0000" / "matrix_heals.csv");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0][5] == "kind");
  CHECK(rows[0][6] == "cause");
  // The restarted server was behind: events sent while it was down had to reach it.
  CHECK(rows[1][4] == "3000");
  CHECK(rows[1][5] == "restart");
  CHECK(rows[1][6] == "restart s2");
  CHECK(std::stoll(rows[1][9]) > 0);
  CHECK(rows[1].back() == "converged");
  CHECK(rows[2][5] == "link_up");
  CHECK(rows[2][6] == "link_up s0~s1");
  // A partition's heal is named by its partition; it is the run's first heal.
  CHECK(rows[3][5] == "heal");
  CHECK(rows[3][6] == "heal split");
  for (std::size_t i = 1; i < rows.size(); ++i)
    CHECK(rows[i][11].rfind("-", 0) != 0);  // no negative catch-up
  const nlohmann::json& m = summaries[0]["matrix"];
  CHECK(m["heals"] == 1);
  CHECK(m["reconnections"] == 2);
  CHECK(m["first_heal"]["time_s"] == 5400.0);
  fs::remove_all(dir);
}

TEST_CASE("per-server catch-up rows add up to the heal's", "[matrix][experiment]") {
  LoadOptions o;
  o.overrides = {"runs=1"};
  const Scenario s = load_scenario_text(kScenario, "split.yaml", o);
  const fs::path dir = fresh_dir("per-server");
  run_experiment(s, {dir, 1});
  const auto heal = csv_rows(dir / "run-0000" / "matrix_heals.csv");
  const auto rows = csv_rows(dir / "run-0000" / "matrix_heal_servers.csv");
  REQUIRE(heal.size() == 2);
  REQUIRE(rows.size() == 1 + 6);  // a row per server of the merged component
  CHECK(rows[0] == std::vector<std::string>{"scenario", "strategy", "run", "heal", "time_s",
                                            "server", "side", "missing_at_heal", "caught_up_s",
                                            "status"});
  std::int64_t missing = 0;
  double last = 0;
  std::set<std::string> sides;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    missing += std::stoll(rows[i][7]);
    last = std::max(last, std::stod(rows[i][8]));
    sides.insert(rows[i][6]);
    CHECK(rows[i][9] == "caught up");
  }
  CHECK(missing == std::stoll(heal[1][9]));                    // missing_at_heal
  CHECK(last == Approx(std::stod(heal[1][12])).margin(1e-9));  // dag_converged_s
  CHECK(sides == std::set<std::string>{"s0", "s3"});
  fs::remove_all(dir);
}

TEST_CASE("random partitions: sides written per partition, each heal named after it",
          "[matrix][experiment]") {
  const Scenario s = load_scenario_text(R"(name: random-splits
duration: 1d
topology: {servers: 6, regions: {eu: 2, us: 2, asia: 2}, latency: wan-3-regions}
room: {users_per_server: 1, moderators: 0}
workload: {messages: 6/h}
faults:
  - {random_partition: {rate: 4/d, duration: 1h, distribution: constant, by: region}}
)",
                                        "random.yaml");
  const fs::path dir = fresh_dir("random-partitions");
  run_experiment(s, {dir, 1});
  const auto sides = csv_rows(dir / "run-0000" / "random_partitions.csv");
  const auto faults = csv_rows(dir / "run-0000" / "faults.csv");
  std::map<std::string, std::set<std::string>> sides_of;  // partition -> sides used
  for (std::size_t i = 1; i < sides.size(); ++i)
    sides_of[sides[i][4]].insert(sides[i][6]);
  REQUIRE_FALSE(sides_of.empty());
  for (const auto& [name, used] : sides_of) {
    CHECK(used == std::set<std::string>{"side0", "side1"});
    CHECK(sides.size() - 1 == 6 * sides_of.size());  // a row per server and partition
  }
  // Every heal row names the random partition whose end merged the sides (a partition that
  // ends while an overlapping one still splits the same way merges nothing: no row).
  const auto heals = csv_rows(dir / "run-0000" / "matrix_heals.csv");
  std::set<std::pair<std::string, std::string>> ended;  // (time, "heal <name>")
  for (const auto& row : faults) {
    if (row.size() > 5 && row[4] == "heal") ended.insert({row[3], "heal " + row[5]});
  }
  REQUIRE(heals.size() > 1);
  for (std::size_t i = 1; i < heals.size(); ++i) {
    CHECK(heals[i][5] == "heal");
    CHECK(ended.count({heals[i][4], heals[i][6]}) == 1);
  }
  fs::remove_all(dir);
}

TEST_CASE("a one-way link fault: events flow the open way — the reconnection is measured",
          "[matrix][experiment]") {
  const Scenario s = load_scenario_text(R"(name: one-way
duration: 2h
topology: {servers: 2, latency: 20ms}
room: {users_per_server: 1, moderators: 0}
workload: {messages: 30/h}
faults:
  - {at: 10m, link_down: [s0, s1], one_way: true, for: 40m}
)",
                                        "one-way.yaml");
  const fs::path dir = fresh_dir("one-way");
  run_experiment(s, {dir, 1});
  const auto faults = csv_rows(dir / "run-0000" / "faults.csv");
  REQUIRE(faults.size() == 3);
  CHECK(faults[1][5] == "s0->s1");
  const auto heals = csv_rows(dir / "run-0000" / "matrix_heals.csv");
  REQUIRE(heals.size() == 2);
  CHECK(heals[1][5] == "link_up");
  CHECK(heals[1][6] == "link_up s0->s1");
  CHECK(heals[1].back() == "converged");
  // While s0 could not connect to s1, s1's messages still reached s0 (s1's requests and s0's
  // answers pass): at the link's recovery s0 lacked nothing and s1 lacked s0's messages.
  const auto servers = csv_rows(dir / "run-0000" / "matrix_heal_servers.csv");
  REQUIRE(servers.size() == 3);
  CHECK(servers[1][5] == "s0");
  CHECK(servers[1][7] == "0");
  CHECK(servers[2][5] == "s1");
  CHECK(std::stoi(servers[2][7]) >= 5);
  fs::remove_all(dir);
}

TEST_CASE("summary.csv quotes a status holding a comma: every row has the header's fields",
          "[matrix][experiment]") {
  // Run 1 of this experiment ends with the DAG converged and the state not: its status,
  // "DAG converged, state not before the end", was once written unquoted (one field too many).
  LoadOptions o;
  o.overrides = {"runs=3", "duration=1h32m"};
  const Scenario s =
      load_scenario_file(std::string(DMLSSIM_SOURCE_DIR) + "/scenarios/matrix-netsplit.yaml", o);
  const fs::path dir = fresh_dir("quoted-status");
  run_experiment(s, {dir, 2});
  const std::string csv = slurp(dir / "summary.csv");
  CHECK(csv.find("\"DAG converged, state not before the end\"") != std::string::npos);
  std::istringstream in(csv);
  std::vector<std::size_t> fields;
  for (std::string line; std::getline(in, line);) {
    std::size_t n = 1;
    bool quoted = false;
    for (const char c : line) {
      if (c == '"') quoted = !quoted;
      if (c == ',' && !quoted) ++n;
    }
    fields.push_back(n);
  }
  REQUIRE(fields.size() == 4);
  for (const std::size_t n : fields)
    CHECK(n == fields[0]);
  fs::remove_all(dir);
}

TEST_CASE("a room's defaults are the model's own: one place for each default", "[matrix][loader]") {
  // Nothing but a room: every room, workload and federation key takes its default, which must be
  // the value the model's config structs declare (room.moderators once said 1 in the scenario
  // table and 0 in RoomSetup).
  const Scenario s = load_scenario_text("name: t\nduration: 1h\ntopology: {servers: 3}\nroom: {}\n",
                                        "defaults.yaml");
  const MatrixSetup* m = s.setup<MatrixSetup>();
  REQUIRE(m != nullptr);
  const mx::RoomSetup room;
  CHECK(m->room.moderators == room.moderators);
  CHECK(m->room.admins == room.admins);
  CHECK(m->room.join_rule == room.join_rule);
  CHECK(m->room.creator_server == room.creator_server);
  const mx::FederationConfig f;
  CHECK(m->federation.max_pdus_per_transaction == f.max_pdus_per_transaction);
  CHECK(m->federation.max_prev_events == f.max_prev_events);
  CHECK(m->federation.min_retry_interval == f.min_retry_interval);
  CHECK(m->federation.retry_multiplier == f.retry_multiplier);
  CHECK(m->federation.retry_jitter_low == f.retry_jitter_low);
  CHECK(m->federation.retry_jitter_high == f.retry_jitter_high);
  CHECK(m->federation.max_retry_interval == f.max_retry_interval);
  CHECK(m->federation.catchup_wakeup_period == f.catchup_wakeup_period);
  CHECK(m->federation.catchup_wakeup_stagger == f.catchup_wakeup_stagger);
  CHECK(m->federation.missing_events_limit == f.missing_events_limit);
  CHECK(m->federation.backfill_limit == f.backfill_limit);
  CHECK(m->federation.backfill_delay == f.backfill_delay);
  CHECK(m->federation.probe_interval == f.probe_interval);
  CHECK(m->federation.pdu_processing == f.pdu_processing);
  const mx::WorkloadConfig w;
  CHECK(m->workload.messages_per_user == w.messages_per_user);
  CHECK(m->workload.topics == w.topics);
  CHECK(m->workload.start == w.start);
  // And the topology's timeouts are the engine's.
  const dmlssim::sim::NetworkConfig network;
  CHECK(s.topology.network.connect_timeout == network.connect_timeout);
  CHECK(s.topology.network.request_timeout == network.request_timeout);
}

TEST_CASE("dated actions happen at their times, beside an empty random workload",
          "[matrix][experiment]") {
  const std::string text =
      "name: dated\nduration: 1h\ntopology: {servers: 4}\nroom: {users_per_server: 3}\n"
      "workload:\n  actions:\n"
      "    - {at: 10m, kick: '@u2:s1', by: '@u0:s0'}\n"
      "    - {at: 12m, ban: '@u1:s2', by: '@u0:s0'}\n"
      "    - {at: 15m, leave: '@u2:s3'}\n"
      "    - {at: 20m, join: '@u2:s3'}\n"
      "    - {at: 25m, unban: '@u1:s2', by: '@u0:s0'}\n"
      "    - {at: 30m, kick: '@u0:s0', by: '@u2:s2'}\n";  // no power: refused
  const Scenario s = load_scenario_text(text, "dated.yaml");
  REQUIRE(s.setup<MatrixSetup>()->workload.dated.size() == 6);
  CHECK(s.setup<MatrixSetup>()->workload.dated[1].target == 3 + 3 + 1);  // @u1:s2
  const fs::path dir = fresh_dir("dated");
  run_experiment(s, {dir, 1});
  std::vector<std::vector<std::string>> log;
  for (const auto& row : csv_rows(dir / "run-0000" / "matrix_action_log.csv")) {
    if (row.size() > 7 && row[0] != "scenario") log.push_back(row);  // scenario,strategy,run,...
  }
  REQUIRE(log.size() == 6);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"600", "kick"},  {"720", "ban"},    {"900", "leave"},
      {"1200", "join"}, {"1500", "unban"}, {"1800", "kick"}};
  for (std::size_t i = 0; i < log.size(); ++i) {
    CAPTURE(i);
    CHECK(std::stod(log[i][3]) == std::stod(expected[i].first));
    CHECK(log[i][6] == expected[i].second);
    CHECK(log[i][7] == (i < 5 ? "sent" : "refused"));
  }
  fs::remove_all(dir);
  // The resolved scenario keeps them.
  const Scenario again = load_scenario_text(resolved_yaml(s), "resolved.yaml");
  CHECK(again.setup<MatrixSetup>()->workload.dated.size() == 6);
}

TEST_CASE("dated actions refuse what cannot happen, naming the entry", "[matrix][loader]") {
  const auto error_of = [](const std::string& actions) {
    try {
      load_scenario_text(
          "name: dated\nduration: 1h\ntopology: {servers: 4}\n"
          "room: {users_per_server: 3}\nworkload:\n  actions: " +
              actions + "\n",
          "bad.yaml");
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error_of("{at: 1m}"), Catch::Contains("workload.actions") && Catch::Contains("list"));
  CHECK_THAT(error_of("[{kick: '@u1:s1', by: '@u0:s0'}]"),
             Catch::Contains("workload.actions[0]") && Catch::Contains("at:"));
  CHECK_THAT(error_of("[{at: 2h, kick: '@u1:s1', by: '@u0:s0'}]"),
             Catch::Contains("workload.actions[0].at") && Catch::Contains("end of the run"));
  CHECK_THAT(error_of("[{at: 1m, kick: '@u3:s1', by: '@u0:s0'}]"),
             Catch::Contains("workload.actions[0].kick") && Catch::Contains("not a user"));
  CHECK_THAT(error_of("[{at: 1m, kick: '@u1:s4', by: '@u0:s0'}]"), Catch::Contains("not a user"));
  CHECK_THAT(error_of("[{at: 1m, kick: '@u1:s1'}]"), Catch::Contains("needs by:"));
  CHECK_THAT(error_of("[{at: 1m, leave: '@u1:s1', by: '@u0:s0'}]"),
             Catch::Contains("workload.actions[0].by") && Catch::Contains("own action"));
  CHECK_THAT(error_of("[{at: 1m, kick: '@u1:s1', ban: '@u1:s1', by: '@u0:s0'}]"),
             Catch::Contains("one action per entry"));
  CHECK_THAT(error_of("[{at: 1m, evict: '@u1:s1'}]"),
             Catch::Contains("bad.yaml:6") && Catch::Contains("evict"));
  CHECK_THAT(error_of("[{at: 1m}]"), Catch::Contains("needs one of kick"));
  CHECK_THAT(error_of("[{at: 1m, ban: '@u0:s0', by: '@u0:s0'}]"), Catch::Contains("itself"));
}
