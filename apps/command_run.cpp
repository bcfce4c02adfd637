#include <atomic>
#include <cmath>
#include <csignal>
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
    "[--jobs J] [--force] [--run-index N] "
    "[--quiet]\n\nRuns every replication of SCENARIO and writes DIR/run-NNNN/ per run plus "
    "DIR/summary.csv.";

// How a metric's values print: fractions with 4 decimals, seconds with 2, counts and bytes as
// whole numbers (their mean with one decimal when it is not whole).
enum class Kind { kFraction, kSeconds, kCount };

std::string format_value(double v, Kind kind) {
  char buf[64];
  switch (kind) {
    case Kind::kFraction:
      std::snprintf(buf, sizeof buf, "%.4f", v);
      break;
    case Kind::kSeconds:
      std::snprintf(buf, sizeof buf, "%.2f", v);
      break;
    case Kind::kCount:
      std::snprintf(buf, sizeof buf, v == std::floor(v) ? "%.0f" : "%.1f", v);
      break;
  }
  return buf;
}

constexpr double kConfidence = 0.99;

// One line: label, n, mean, and the 99 % percentile-bootstrap interval of the mean (within the
// samples' range), or "constant" when every run agrees.
void print_row(const std::string& label, const std::vector<double>& samples, Kind kind,
               const std::string& note = "") {
  // Each metric resamples from its own stream, so the report is the same for the same runs.
  const sim::BootstrapInterval b =
      sim::bootstrap_mean_interval(samples, kConfidence, 1, ("report/" + label).c_str());
  std::string interval;
  if (b.n >= 2) {
    interval = b.constant ? "constant"
                          : "[" + format_value(b.lo, kind) + ", " + format_value(b.hi, kind) + "]";
  }
  if (!note.empty()) interval += (interval.empty() ? "" : "  ") + note;
  std::printf("  %-42s %4zu %14s  %s\n", label.c_str(), b.n,
              b.n == 0 ? "-" : format_value(b.mean, kind).c_str(), interval.c_str());
}

void print_report(const scenarios::Scenario& s, const std::vector<nlohmann::json>& summaries,
                  const std::string& out) {
  std::printf("%s: %llu run(s) of %s, %u servers -> %s\n", s.name.c_str(),
              static_cast<unsigned long long>(s.runs), sim::format_duration(s.duration).c_str(),
              s.topology.servers, out.c_str());
  std::printf("  %-42s %4s %14s  %s\n", "metric", "n", "mean",
              s.runs >= 2 ? "99% interval of the mean (bootstrap)" : "");
  auto column = [&](const char* key) {
    std::vector<double> v;
    for (const auto& j : summaries)
      v.push_back(j[key].get<double>());
    return v;
  };
  print_row("server availability", column("mean_availability"), Kind::kFraction);
  print_row("reachable pair fraction", column("mean_reachable_pair_fraction"), Kind::kFraction);
  print_row("time split (>= 2 components)", column("time_fraction_split"), Kind::kFraction);
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
    print_row("time with " + std::to_string(k) + " component(s)", v, Kind::kFraction);
  }
  if (!s.matrix) return;
  auto matrix_column = [&](const char* key) {
    std::vector<double> v;
    for (const auto& j : summaries)
      v.push_back(j["matrix"][key].get<double>());
    return v;
  };
  print_row("room events sent", matrix_column("events_sent"), Kind::kCount);
  print_row("soft-failed events", matrix_column("soft_failed_events"), Kind::kCount);
  // The first heal of each run that had one. A stage not reached before the end is censored: the
  // run says only that it took longer than the time observed after the heal. Such runs enter
  // the mean at that lower bound, which makes the mean a lower bound too ("≥"), never dropped.
  std::vector<const nlohmann::json*> heals;
  for (const auto& j : summaries) {
    const auto& heal = j["matrix"]["first_heal"];
    if (heal.is_object()) heals.push_back(&heal);
  }
  if (heals.empty()) return;
  std::size_t converged = 0;
  for (const auto* h : heals)
    converged += (*h)["dag_converged_s"].is_number() ? 1 : 0;
  std::printf("  %-42s %4zu %14s\n", "first heal: DAG converged before the end", heals.size(),
              (std::to_string(converged) + "/" + std::to_string(heals.size())).c_str());
  struct Stage {
    const char* key;
    const char* label;
    Kind kind;
    bool bounded;  // unreached: at least the time observed after the heal
  };
  static const Stage kStages[] = {
      {"backoff_wait_s", "first heal: back-off wait (s)", Kind::kSeconds, true},
      {"catchup_s", "first heal: catch-up (s)", Kind::kSeconds, false},
      {"dag_converged_s", "first heal: DAG converged (s)", Kind::kSeconds, true},
      {"state_converged_s", "first heal: state converged (s)", Kind::kSeconds, true},
      {"catchup_bytes", "first heal: catch-up bytes", Kind::kCount, false}};
  for (const Stage& stage : kStages) {
    std::vector<double> v;
    std::size_t censored = 0;
    for (const auto* h : heals) {
      if ((*h)[stage.key].is_number()) {
        v.push_back((*h)[stage.key].get<double>());
      } else if (stage.bounded) {
        v.push_back((*h)["observed_s"].get<double>());
        ++censored;
      }
    }
    if (censored > 0) {
      // A lower bound: no interval (the censored runs' values are unknown).
      char mean[64];
      std::snprintf(mean, sizeof mean, ">= %s",
                    format_value(sim::mean_interval(v, kConfidence).mean, stage.kind).c_str());
      std::printf(
          "  %-42s %4zu %14s  %zu run(s) not reached before the end, counted at the time "
          "observed\n",
          stage.label, v.size(), mean, censored);
    } else if (v.empty()) {
      std::printf("  %-42s %4d %14s  not reached before the end in any run\n", stage.label, 0, "-");
    } else if (v.size() < heals.size()) {
      print_row(stage.label, v, stage.kind,
                "(the " + std::to_string(v.size()) + " of " + std::to_string(heals.size()) +
                    " runs that got there; the others have no value)");
    } else {
      print_row(stage.label, v, stage.kind);
    }
  }
}

// Set from the signal handler (a plain flag is all a handler may touch).
std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) {
  g_stop = true;
}

// Installs the handlers for SIGINT and SIGTERM while a run command lives; restores the old ones.
class StopOnSignals {
 public:
  StopOnSignals() {
    previous_int_ = std::signal(SIGINT, on_stop_signal);
    previous_term_ = std::signal(SIGTERM, on_stop_signal);
  }
  ~StopOnSignals() {
    std::signal(SIGINT, previous_int_);
    std::signal(SIGTERM, previous_term_);
  }
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

 private:
  void (*previous_int_)(int);
  void (*previous_term_)(int);
};

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
      "force", "replace the results of a different experiment found in --out")(
      "run-index", po::value<std::string>(),
      "run only replicate N (0-based); its directory is byte-identical to the full "
      "experiment's")("quiet,q", "no progress on stderr");
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
  scenarios::ExperimentOptions experiment;
  experiment.jobs = static_cast<unsigned>(*jobs);
  experiment.force = vm.count("force") > 0;
  if (vm.count("run-index")) {
    const auto index = whole_number_option("run", "--run-index", vm["run-index"].as<std::string>(),
                                           0, scenarios::kMaxRuns - 1);
    if (!index) return 2;
    experiment.only_run = *index;
  }
  // SIGINT and SIGTERM stop the runs at their next slice; what is complete is kept.
  g_stop = false;
  experiment.stop = &g_stop;
  const StopOnSignals on_signals;
  try {
    const scenarios::Scenario scenario = scenarios::load_scenario_file(scenario_path, load);
    if (out_dir.empty()) out_dir = "results/" + scenario.name;
    experiment.out_dir = out_dir;
    scenarios::ExperimentProgress progress(scenario.runs);
    std::vector<nlohmann::json> summaries;
    try {
      ProgressDisplay display(progress, scenario.duration.ns(), vm.count("quiet") == 0);
      summaries = scenarios::run_experiment(scenario, experiment, &progress);
    } catch (const scenarios::RunInterrupted&) {
      std::cerr << "dmlssim run: interrupted; kept the complete run directories in " << out_dir
                << " (" << out_dir << "/experiment.json lists them and says \"interrupted\"); "
                << "no summary.csv was written\n";
      return 130;
    }
    if (experiment.only_run) {
      std::printf("%s: run %llu of %llu -> %s/run-%04llu\n", scenario.name.c_str(),
                  static_cast<unsigned long long>(*experiment.only_run),
                  static_cast<unsigned long long>(scenario.runs), out_dir.c_str(),
                  static_cast<unsigned long long>(*experiment.only_run));
      return 0;
    }
    print_report(scenario, summaries, out_dir);
    return 0;
  } catch (const scenarios::ScenarioError& e) {
    std::cerr << "dmlssim: " << e.what() << "\n";
    return 2;
  } catch (const scenarios::ExperimentRefused& e) {
    std::cerr << "dmlssim run: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "dmlssim run: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace dmlssim::apps
