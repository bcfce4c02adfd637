#include <cstdio>
#include <iostream>
#include <map>

#include "apps/cli_options.hpp"
#include "apps/commands.hpp"
#include "apps/progress.hpp"
#include "scenarios/experiment.hpp"
#include "scenarios/scenario_error.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/statistics.hpp"

namespace dmlssim::apps {
namespace {

constexpr const char* kRunUsage =
    "usage: dmlssim run SCENARIO [--seed N] [--runs R] [--set key.path=value]... [--out DIR] "
    "[--jobs J] "
    "[--quiet]\n\nRuns every replication of SCENARIO and writes DIR/run-NNNN/ per run plus "
    "DIR/summary.csv.";

void print_row(const std::string& label, const std::vector<double>& samples) {
  const sim::MeanInterval ci = sim::mean_interval(samples, 0.99);
  if (ci.n >= 2) {
    std::printf("  %-34s %10.6f  ± %.6f\n", label.c_str(), ci.mean, ci.half_width);
  } else {
    std::printf("  %-34s %10.6f\n", label.c_str(), ci.mean);
  }
}

void print_report(const scenarios::Scenario& s, const std::vector<nlohmann::json>& summaries,
                  const std::string& out) {
  std::printf("%s: %llu run(s) of %s, %u servers -> %s\n", s.name.c_str(),
              static_cast<unsigned long long>(s.runs), sim::format_duration(s.duration).c_str(),
              s.topology.servers, out.c_str());
  std::printf("  %-34s %10s  %s\n", "metric", "mean", s.runs >= 2 ? "99% CI half-width" : "");
  auto column = [&](const char* key) {
    std::vector<double> v;
    for (const auto& j : summaries)
      v.push_back(j[key].get<double>());
    return v;
  };
  print_row("server availability", column("mean_availability"));
  print_row("reachable pair fraction", column("mean_reachable_pair_fraction"));
  print_row("time split (>= 2 components)", column("time_fraction_split"));
  std::map<int, std::vector<double>> by_k;
  for (const auto& j : summaries) {
    for (const auto& [k, v] : j["time_fraction_by_components"].items())
      by_k[std::stoi(k)];
  }
  for (auto& [k, v] : by_k) {
    for (const auto& j : summaries) {
      const auto& m = j["time_fraction_by_components"];
      v.push_back(m.contains(std::to_string(k)) ? m[std::to_string(k)].get<double>() : 0.0);
    }
    print_row("time with " + std::to_string(k) + " component(s)", v);
  }
  if (!s.matrix) return;
  auto matrix_column = [&](const char* key) {
    std::vector<double> v;
    for (const auto& j : summaries)
      v.push_back(j["matrix"][key].get<double>());
    return v;
  };
  print_row("room events sent", matrix_column("events_sent"));
  print_row("soft-failed events", matrix_column("soft_failed_events"));
  // First heal of each run: only runs that had one and converged enter the mean.
  static const std::pair<const char*, const char*> kHeal[] = {
      {"backoff_wait_s", "first heal: back-off wait (s)"},
      {"catchup_s", "first heal: catch-up (s)"},
      {"dag_converged_s", "first heal: DAG converged (s)"},
      {"state_converged_s", "first heal: state converged (s)"},
      {"catchup_bytes", "first heal: catch-up bytes"}};
  for (const auto& [key, label] : kHeal) {
    std::vector<double> v;
    for (const auto& j : summaries) {
      const auto& heal = j["matrix"]["first_heal"];
      if (heal.is_object() && heal[key].is_number()) v.push_back(heal[key].get<double>());
    }
    if (v.empty()) continue;
    std::string text = label;
    if (v.size() < summaries.size()) {
      text += " [" + std::to_string(v.size()) + "/" + std::to_string(summaries.size()) + " runs]";
    }
    print_row(text, v);
  }
}

}  // namespace

int command_run(const std::vector<std::string>& args) {
  po::options_description options("run options");
  std::string scenario_path, out_dir;
  std::vector<std::string> sets;
  std::string seed_text, runs_text, jobs_text = "1";
  options.add_options()("help,h", "show this help")("version", "show the version")(
      "scenario", po::value(&scenario_path)->required(), "scenario file (YAML)")(
      "seed", po::value(&seed_text), "override the scenario's seed (0 to 2^63-1)")(
      "runs", po::value(&runs_text), "override the number of runs (at least 1)")(
      "set", po::value(&sets)->composing(),
      "override any key: --set topology.servers=50 (repeatable)")(
      "out", po::value(&out_dir), "result directory (default: results/<scenario name>)")(
      "jobs,j", po::value(&jobs_text)->default_value("1"),
      "runs executed in parallel, at least 1; results do not depend on it")(
      "quiet,q", "no progress on stderr");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  po::variables_map vm;
  int code = 0;
  if (!parse_options(args, options, positional, vm, kRunUsage, code,
                     "SCENARIO (the scenario file)"))
    return code;
  const std::optional<std::uint64_t> jobs =
      whole_number_option("run", "--jobs", jobs_text, 1, 1024);
  if (!jobs) return 2;
  scenarios::LoadOptions load;
  load.overrides = sets;
  if (vm.count("seed")) {
    const auto seed = whole_number_option("run", "--seed", seed_text, 0, scenarios::kMaxSeed);
    if (!seed) return 2;
    load.overrides.push_back("seed=" + std::to_string(*seed));
  }
  if (vm.count("runs")) {
    const auto runs = whole_number_option("run", "--runs", runs_text, 1, scenarios::kMaxRuns);
    if (!runs) return 2;
    load.overrides.push_back("runs=" + std::to_string(*runs));
  }
  try {
    const scenarios::Scenario scenario = scenarios::load_scenario_file(scenario_path, load);
    if (out_dir.empty()) out_dir = "results/" + scenario.name;
    scenarios::ExperimentProgress progress(scenario.runs);
    std::vector<nlohmann::json> summaries;
    {
      ProgressDisplay display(progress, scenario.duration.ns(), vm.count("quiet") == 0);
      summaries =
          scenarios::run_experiment(scenario, {out_dir, static_cast<unsigned>(*jobs)}, &progress);
    }
    print_report(scenario, summaries, out_dir);
    return 0;
  } catch (const scenarios::ScenarioError& e) {
    std::cerr << "dmlssim: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "dmlssim run: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace dmlssim::apps
