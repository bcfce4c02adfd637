#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "scenarios/experiment.hpp"
#include "scenarios/scenario_loader.hpp"
#include "tests/scenarios/result_files.hpp"

using namespace dmlssim::scenarios;
namespace fs = std::filesystem;

namespace {

const char* kScenario = R"(name: determinism
duration: 2d
runs: 3
topology:
  servers: 12
  regions: {eu: 6, us: 4, asia: 2}
  latency: wan-3-regions
faults:
  - {at: 6h, partition: {a: [eu], b: rest}, for: 1h}
  - {at: 12h, flap: [s0, s7], period: 10m, down: 1m, for: 2h}
  - {random: {mtbf: 1d, mttr: 1h, distribution: weibull(k=0.7)}}
metrics: {interval: 30m, pairs: true}
)";

fs::path fresh_dir(const std::string& name) {
  return dmlssim::testing::fresh_dir("dmlssim-test", name);
}

using dmlssim::testing::slurp;

// Every file under `dir`, by relative path; manifest.json without its wall-clock fields.
std::map<std::string, std::string> contents(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string text = slurp(entry.path());
    if (entry.path().filename() == "manifest.json") {
      nlohmann::json j = nlohmann::json::parse(text);
      REQUIRE(j.contains("wall_clock"));
      j.erase("wall_clock");
      text = j.dump();
    }
    out[fs::relative(entry.path(), dir).string()] = text;
  }
  return out;
}

}  // namespace

TEST_CASE("same scenario and seed give byte-identical run directories, for any --jobs",
          "[experiment][determinism]") {
  const Scenario s = load_scenario_text(kScenario, "determinism.yaml");
  const fs::path a = fresh_dir("a"), b = fresh_dir("b"), c = fresh_dir("c");
  run_experiment(s, {a, 1});
  run_experiment(s, {b, 2});
  run_experiment(s, {c, 1});
  const auto ca = contents(a);
  CHECK(ca.size() == 3 * 11 + 2);  // eleven files per run, plus summary.csv and experiment.json
  CHECK(ca == contents(b));
  CHECK(ca == contents(c));
  // Runs differ from each other, and another seed differs.
  CHECK(ca.at("run-0000/faults.csv").substr(60) != ca.at("run-0001/faults.csv").substr(60));
  LoadOptions o;
  o.overrides = {"seed=2"};
  const fs::path d = fresh_dir("d");
  run_experiment(load_scenario_text(kScenario, "determinism.yaml", o), {d, 2});
  CHECK(contents(d).at("run-0000/faults.csv") != ca.at("run-0000/faults.csv"));
  for (const auto& dir : {a, b, c, d})
    fs::remove_all(dir);
}

TEST_CASE("a run directory is self-describing and reproduces itself", "[experiment]") {
  const Scenario s = load_scenario_text(kScenario, "determinism.yaml");
  const fs::path a = fresh_dir("self");
  const auto summaries = run_experiment(s, {a, 2});
  REQUIRE(summaries.size() == 3);
  const fs::path run1 = a / "run-0001";
  for (const char* f :
       {"scenario.yaml", "manifest.json", "summary.json", "timeseries.csv", "components.csv",
        "availability.csv", "faults.csv", "pairs.csv", "pair_outages.csv", "traffic.csv"}) {
    INFO(f);
    CHECK(fs::exists(run1 / f));
  }
  for (const auto& entry : fs::recursive_directory_iterator(a)) {
    CHECK(entry.path().string().find(".tmp") == std::string::npos);
  }
  const nlohmann::json manifest = nlohmann::json::parse(slurp(run1 / "manifest.json"));
  CHECK(manifest["seed"] == 1);
  CHECK(manifest["run"] == 1);
  CHECK(manifest["events_processed"].get<uint64_t>() > 0);
  CHECK(manifest["revision"].get<std::string>().size() >= 7);
  CHECK(manifest["wall_clock"].contains("start"));
  // The stored scenario alone reproduces the run's tables.
  const Scenario again = load_scenario_file((run1 / "scenario.yaml").string());
  const fs::path b = fresh_dir("again");
  run_experiment(again, {b, 1});
  CHECK(slurp(b / "run-0001" / "pairs.csv") == slurp(run1 / "pairs.csv"));
  CHECK(slurp(b / "run-0001" / "timeseries.csv") == slurp(run1 / "timeseries.csv"));
  const std::string summary = slurp(a / "summary.csv");
  CHECK(summary.rfind("scenario,strategy,run,mean_availability", 0) == 0);
  CHECK(std::count(summary.begin(), summary.end(), '\n') == 4);
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST_CASE("tidy tables carry scenario, strategy and run columns", "[experiment]") {
  const Scenario s = load_scenario_text(kScenario, "determinism.yaml");
  RunResult r = run_scenario(s, 2);
  const auto files = run_files(s, r, nlohmann::json::object());
  for (const auto& [name, text] : files) {
    if (name.size() < 4 || name.substr(name.size() - 4) != ".csv") continue;
    INFO(name);
    CHECK(text.rfind("scenario,strategy,run,", 0) == 0);
    if (text.find('\n') + 1 < text.size())
      CHECK(text.find("\ndeterminism,none,2,") != std::string::npos);
  }
  CHECK(r.summary["mean_availability"].get<double>() > 0.8);
  CHECK(r.summary["time_fraction_by_components"]["2"].get<double>() > 0);
}

TEST_CASE("metrics.json writes every table as JSON records too", "[experiment]") {
  LoadOptions o;
  o.overrides = {"metrics.json=true", "runs=1"};
  const Scenario s = load_scenario_text(kScenario, "determinism.yaml", o);
  const fs::path a = fresh_dir("json");
  run_experiment(s, {a, 1});
  for (const char* table :
       {"timeseries", "components", "availability", "faults", "pairs", "pair_outages", "traffic"}) {
    INFO(table);
    const std::string csv = slurp(a / "run-0000" / (std::string(table) + ".csv"));
    const auto json = nlohmann::json::parse(slurp(a / "run-0000" / (std::string(table) + ".json")));
    CHECK(json.size() + 1 == static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')));
  }
  const auto summary = nlohmann::json::parse(slurp(a / "run-0000" / "summary.json"));
  CHECK(summary.contains("counters"));
  fs::remove_all(a);
}

TEST_CASE(
    "re-running into a result directory leaves no stale runs — foreign directories are refused",
    "[experiment]") {
  const Scenario three = load_scenario_text(kScenario, "determinism.yaml");
  LoadOptions o;
  o.overrides = {"runs=1"};
  const Scenario one = load_scenario_text(kScenario, "determinism.yaml", o);
  const fs::path a = fresh_dir("rerun");
  run_experiment(three, {a, 1});
  REQUIRE(fs::exists(a / "run-0002"));
  // Fewer runs is another experiment: refused, nothing deleted; with force, replaced whole.
  CHECK_THROWS_AS(run_experiment(one, {a, 1}), ExperimentRefused);
  CHECK(fs::exists(a / "run-0002"));
  ExperimentOptions force{a, 1};
  force.force = true;
  run_experiment(one, force);
  CHECK(fs::exists(a / "run-0000"));
  CHECK_FALSE(fs::exists(a / "run-0001"));
  CHECK_FALSE(fs::exists(a / "run-0002"));
  const std::string summary = slurp(a / "summary.csv");
  CHECK(std::count(summary.begin(), summary.end(), '\n') == 2);
  { std::ofstream(a / "notes.txt") << "mine"; }
  CHECK_THROWS_WITH(run_experiment(one, {a, 1}), Catch::Contains("not a dmlssim result"));
  CHECK(fs::exists(a / "notes.txt"));
  fs::remove_all(a);
}
