#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

#include "apps/cli_options.hpp"
#include "apps/commands.hpp"
#include "apps/heap_prefaulter.hpp"
#include "apps/progress.hpp"
#include "apps/report_format.hpp"
#include "apps/stop_signals.hpp"
#include "apps/world_disposal.hpp"
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
    "DIR/summary.csv. Starts itself again once with transparent huge pages for the heap "
    "(DMLSSIM_HUGEPAGES=0: not), and, when fewer runs go at a time than there are cores, faults "
    "the heap's new pages in on a thread of its own (DMLSSIM_PREFAULT=0: not); results depend "
    "on neither.";

constexpr double kConfidence = 0.99;

// One line: label, n, mean, and the 99 % percentile-bootstrap interval of the mean (within the
// samples' range), or "constant" when every run agrees.
void print_row(const std::string& label, const std::vector<double>& samples,
               scenarios::MetricUnit unit, const std::string& note = "") {
  // Each metric resamples from its own stream, so the report is the same for the same runs.
  const sim::BootstrapInterval b =
      sim::bootstrap_mean_interval(samples, kConfidence, 1, ("report/" + label).c_str());
  std::string interval;
  if (b.n >= 2) {
    interval = b.constant ? "constant"
                          : "[" + format_value(b.lo, unit) + ", " + format_value(b.hi, unit) + "]";
  }
  if (!note.empty()) interval += (interval.empty() ? "" : "  ") + note;
  std::printf("  %-42s %4zu %14s  %s\n", label.c_str(), b.n,
              b.n == 0 ? "-" : format_value(b.mean, unit).c_str(), interval.c_str());
}

// The printed rows, by label, in the runs' order: a label first seen in a later run goes after
// the label before it there (so rows present in some runs only keep their place).
std::vector<std::string> report_labels(const std::vector<scenarios::RunSummary>& runs) {
  std::vector<std::string> labels;
  for (const auto& r : runs) {
    std::size_t next = 0;
    for (const scenarios::SummaryMetric& m : r.metrics) {
      if (m.label.empty()) continue;
      const auto it = std::find(labels.begin(), labels.end(), m.label);
      if (it != labels.end()) {
        next = static_cast<std::size_t>(it - labels.begin()) + 1;
      } else {
        labels.insert(labels.begin() + static_cast<long>(next), m.label);
        ++next;
      }
    }
  }
  return labels;
}

// One row of the table from each run's value of a metric. Runs where it does not apply are left
// out of n. A stage not reached before the end is censored: the run says only that it took longer
// than the time observed after the heal, so it enters the mean at that lower bound and the mean
// is printed as a lower bound ("≥"), never dropped.
void print_metric(const std::string& label, const std::vector<scenarios::RunSummary>& runs) {
  using scenarios::MetricUnit;
  std::vector<double> values;
  std::size_t applicable = 0, censored = 0, without = 0;
  MetricUnit unit = MetricUnit::kCount;
  for (const auto& r : runs) {
    const auto it =
        std::find_if(r.metrics.begin(), r.metrics.end(),
                     [&](const scenarios::SummaryMetric& m) { return m.label == label; });
    if (it == r.metrics.end()) {
      // Absent from this run: zero when that is what absence means, else not applicable.
      const auto any = std::find_if(runs.begin(), runs.end(), [&](const scenarios::RunSummary& o) {
        return std::any_of(o.metrics.begin(), o.metrics.end(),
                           [&](const auto& m) { return m.label == label && m.absent_is_zero; });
      });
      if (any != runs.end()) {
        ++applicable;
        values.push_back(0);
      }
      continue;
    }
    unit = it->unit;
    if (!it->applies) continue;
    ++applicable;
    if (it->has_value()) {
      values.push_back(it->number());
    } else if (it->lower_bound) {
      values.push_back(*it->lower_bound);
      ++censored;
    } else {
      ++without;
    }
  }
  if (applicable == 0) return;
  if (unit == MetricUnit::kOutcome) {
    std::size_t yes = 0;
    for (const double v : values)
      yes += v != 0 ? 1 : 0;
    std::printf("  %-42s %4zu %14s\n", label.c_str(), applicable,
                (std::to_string(yes) + "/" + std::to_string(applicable)).c_str());
  } else if (censored > 0) {
    // A lower bound: no interval (the censored runs' values are unknown).
    char mean[64];
    std::snprintf(mean, sizeof mean, ">= %s",
                  format_value(sim::mean_interval(values, kConfidence).mean, unit).c_str());
    std::printf(
        "  %-42s %4zu %14s  %zu run(s) not reached before the end, counted at the time "
        "observed\n",
        label.c_str(), values.size(), mean, censored);
  } else if (values.empty()) {
    std::printf("  %-42s %4d %14s  not reached before the end in any run\n", label.c_str(), 0, "-");
  } else if (without > 0) {
    print_row(label, values, unit,
              "(the " + std::to_string(values.size()) + " of " + std::to_string(applicable) +
                  " runs that got there; the others have no value)");
  } else {
    print_row(label, values, unit);
  }
}

void print_report(const scenarios::Scenario& s, const std::vector<scenarios::RunSummary>& runs,
                  const std::string& out) {
  std::printf("%s: %llu run(s) of %s, %u servers -> %s\n", s.name.c_str(),
              static_cast<unsigned long long>(s.runs), sim::format_duration(s.duration).c_str(),
              s.topology.servers, out.c_str());
  std::printf("  %-42s %4s %14s  %s\n", "metric", "n", "mean",
              s.runs >= 2 ? "99% interval of the mean (bootstrap)" : "");
  for (const std::string& label : report_labels(runs))
    print_metric(label, runs);
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
  if (!seed_and_runs_overrides("run", vm, seed_text, runs_text, load.overrides)) return 2;
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
  const StopOnSignals on_signals;
  experiment.stop = &stop_requested();
  WorldDisposal disposal;
  experiment.dispose_world = [&disposal](std::shared_ptr<void> world) {
    disposal.take(std::move(world));
  };
  try {
    const scenarios::Scenario scenario = scenarios::load_scenario_file(scenario_path, load);
    if (out_dir.empty()) out_dir = "results/" + scenario.name;
    experiment.out_dir = out_dir;
    scenarios::ExperimentProgress progress(scenario.runs);
    std::vector<scenarios::RunSummary> summaries;
    try {
      ProgressDisplay display(progress, scenario.duration.ns(), vm.count("quiet") == 0);
      const std::unique_ptr<HeapPrefaulter> prefaulter =
          start_heap_prefaulter(*jobs, scenario.runs);
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
      return disposal.exit_when_done(0);
    }
    print_report(scenario, summaries, out_dir);
    return disposal.exit_when_done(0);
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
