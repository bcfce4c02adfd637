// Encrypted rooms over 200 random fault schedules per strategy (random partitions of 2 and 3
// sides and random server outages for 45 minutes, then 45 minutes to settle; membership churn,
// kicks, bans and key updates): every (message, expected reader) pair has exactly one outcome;
// dmls converges after the last heal (one epoch, MLS membership equal to Matrix membership on
// every device of the room's users); mls_first_seen's divergence is reported, heal by heal; the
// run directories are byte-identical across reruns and --jobs.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "scenarios/experiment.hpp"
#include "scenarios/run.hpp"
#include "scenarios/scenario_loader.hpp"
#include "tests/scenarios/result_files.hpp"

using namespace dmlssim::scenarios;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kSchedules = 200;

std::string scenario(const std::string& strategy, std::uint64_t runs) {
  return "name: property\nduration: 1h30m\nseed: 11\nruns: " + std::to_string(runs) +
         "\n"
         "topology: {servers: 5, regions: {eu: 2, us: 2, asia: 1}, latency: wan-3-regions}\n"
         "room: {users_per_server: 3, devices_per_user: 2, admins: 1, moderators: 1}\n"
         "workload:\n"
         "  messages: {room: 2/min}\n  membership: {room: 6/h}\n  kicks: 1/h\n  bans: 1/h\n"
         "  key_updates: 2/h\n  stop: 80m\n"
         "faults:\n"
         "  - {random_partition: {rate: 6/h, duration: 5m, sides: 2, stop: 45m}}\n"
         "  - {random_partition: {rate: 2/h, duration: 5m, sides: 3, stop: 45m}}\n"
         "  - {random: {mtbf: 3h, mttr: 3m, stop: 45m}}\n"
         "federation: {probe_interval: 30s}\n"
         "mls: {crypto: fast}\n"
         "metrics: {per_reader: true}\n"
         "strategy: " +
         strategy + "\n";
}

std::int64_t e2ee(const RunResult& r, const std::string& key) {
  return r.summary.at("e2ee").at(key).get<std::int64_t>();
}

// Every expected pair once in reader_outcomes, with one of the outcomes, summing to the totals.
void check_one_outcome_per_pair(const RunResult& r) {
  std::set<std::pair<std::string, std::string>> pairs;
  std::map<std::string, std::int64_t> by_outcome;
  std::size_t repeated = 0;
  for (const auto& row : r.metrics.tables().at("reader_outcomes").rows()) {
    if (std::get<std::int64_t>(row[4]) != 1) continue;  // an unauthorized read, listed apart
    const auto& event = std::get<std::string>(row[0]);
    const auto& reader = std::get<std::string>(row[3]);
    repeated += pairs.emplace(event, reader).second ? 0 : 1;
    ++by_outcome[std::get<std::string>(row[5])];
  }
  CHECK(repeated == 0);
  CHECK(static_cast<std::int64_t>(pairs.size()) == e2ee(r, "reader_pairs"));
  CHECK(by_outcome["read"] == e2ee(r, "read"));
  CHECK(by_outcome["unreadable"] == e2ee(r, "unreadable"));
  CHECK(by_outcome["not_delivered"] == e2ee(r, "not_delivered"));
  CHECK(by_outcome.count("waiting") == 0);  // closed at the end of the run
  CHECK(by_outcome["read"] + by_outcome["unreadable"] + by_outcome["not_delivered"] ==
        e2ee(r, "reader_pairs"));
}

std::size_t heals_in(const RunResult& r) {
  std::size_t n = 0;
  for (const auto& row : r.metrics.tables().at("faults").rows())
    n += std::get<std::string>(row[1]) == "heal" ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE(
    "dmls over 200 random fault schedules: one outcome per pair, converged after the last heal",
    "[scenarios][e2ee][property][slow]") {
  const Scenario s = load_scenario_text(scenario("dmls", kSchedules), "dmls.yaml");
  std::size_t with_heals = 0;
  for (std::uint64_t run = 0; run < kSchedules; ++run) {
    INFO("schedule " << run);
    const RunResult r = run_scenario(s, run);
    check_one_outcome_per_pair(r);
    const auto& heals = r.metrics.tables().at("mls_heals").rows();
    CHECK(heals.size() == heals_in(r));
    if (!heals.empty()) {
      ++with_heals;
      CHECK(std::get<std::string>(heals.back()[5]) == "converged");
    }
    CHECK(e2ee(r, "epochs_at_end") == 1);
    CHECK(e2ee(r, "membership_diverged_devices") == 0);
    CHECK(e2ee(r, "mls_extra_members") == 0);
    CHECK(e2ee(r, "mls_missing_members") == 0);
  }
  CHECK(with_heals > kSchedules / 2);  // the schedules do split the room
}

TEST_CASE("mls_first_seen over 200 random fault schedules: its divergence is reported",
          "[scenarios][e2ee][property][slow]") {
  const Scenario s = load_scenario_text(scenario("mls_first_seen", kSchedules), "first.yaml");
  std::size_t forked_at_end = 0, censored = 0;
  for (std::uint64_t run = 0; run < kSchedules; ++run) {
    INFO("schedule " << run);
    const RunResult r = run_scenario(s, run);
    check_one_outcome_per_pair(r);
    const auto& heals = r.metrics.tables().at("mls_heals").rows();
    CHECK(heals.size() == heals_in(r));  // a row for every heal, converged or not
    for (const auto& h : heals)
      censored += std::get<std::string>(h[5]) == "MLS not converged before the end" ? 1 : 0;
    const std::int64_t epochs = e2ee(r, "epochs_at_end");
    forked_at_end += epochs >= 2 ? 1 : 0;
    // Reported in the summary table too, never left out.
    bool reported = false;
    for (const SummaryMetric& m : r.summary_metrics) {
      if (m.name != "e2ee_epochs_at_end") continue;
      const auto* v = std::get_if<std::int64_t>(&m.value);
      reported = v != nullptr && *v == epochs;
    }
    CHECK(reported);
  }
  CHECK(forked_at_end > 0);
  CHECK(censored > 0);
}

TEST_CASE("encrypted runs under random faults are byte-identical across reruns and --jobs",
          "[scenarios][e2ee][property]") {
  for (const std::string strategy : {"dmls", "mls_first_seen"}) {
    const Scenario s = load_scenario_text(scenario(strategy, 4), "jobs.yaml");
    const fs::path a = dmlssim::testing::fresh_dir("dmlssim-prop", strategy + "-a");
    const fs::path b = dmlssim::testing::fresh_dir("dmlssim-prop", strategy + "-b");
    const fs::path c = dmlssim::testing::fresh_dir("dmlssim-prop", strategy + "-c");
    run_experiment(s, {a, 1});
    run_experiment(s, {b, 2});
    run_experiment(s, {c, 2});
    std::size_t files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(a)) {
      if (!entry.is_regular_file() || entry.path().filename() == "manifest.json") continue;
      const fs::path rel = fs::relative(entry.path(), a);
      INFO(strategy << ": " << rel.string());
      const std::string text = dmlssim::testing::slurp(entry.path());
      CHECK(text == dmlssim::testing::slurp(b / rel));
      CHECK(text == dmlssim::testing::slurp(c / rel));
      ++files;
    }
    CHECK(files > 40);
    for (const auto& dir : {a, b, c})
      fs::remove_all(dir);
  }
}
