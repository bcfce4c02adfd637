// dmlssim compare: every strategy over the same replications, a tidy compare.csv and a headline
// table (scenarios/comparison.hpp).
#include <cstdio>
#include <iostream>
#include <memory>

#include "apps/cli_options.hpp"
#include "apps/commands.hpp"
#include "apps/heap_prefaulter.hpp"
#include "apps/progress.hpp"
#include "apps/report_format.hpp"
#include "apps/stop_signals.hpp"
#include "apps/world_disposal.hpp"
#include "scenarios/atomic_file.hpp"
#include "scenarios/catalog.hpp"
#include "scenarios/comparison.hpp"
#include "scenarios/scenario_error.hpp"
#include "scenarios/scenario_loader.hpp"

namespace dmlssim::apps {
namespace {

constexpr const char* kCompareUsage =
    "usage: dmlssim compare SCENARIO [--strategies a,b,...] [--runs R] [--seed N] "
    "[--set key.path=value]... [--out DIR] [--jobs J] [--force] [--quiet]\n\nRuns every strategy "
    "(default: every registered encrypted one) over the same replications (common random "
    "numbers), writes DIR/<strategy>/run-NNNN/ and DIR/compare.csv, and prints the table. Starts "
    "itself again once with transparent huge pages for the heap (DMLSSIM_HUGEPAGES=0: not), and, "
    "when fewer runs go at a time than there are cores, faults the heap's new pages in on a "
    "thread of its own (DMLSSIM_PREFAULT=0: not).";

// The printed table: a row per labelled metric, a column per strategy, mean [95 % interval].
void print_table(const scenarios::Scenario& s, const std::vector<scenarios::StrategyRuns>& results,
                 const std::vector<scenarios::ComparisonRow>& rows, const std::string& out) {
  std::printf("%s: %llu run(s) of %s per strategy, %u servers -> %s\n", s.name.c_str(),
              static_cast<unsigned long long>(s.runs), sim::format_duration(s.duration).c_str(),
              s.topology.servers, out.c_str());
  std::printf("  %-36s", "metric (mean [95% interval])");
  for (const auto& r : results)
    std::printf(" %-32s", r.directory.c_str());
  std::printf("\n");
  // Labels and units by metric name, from the first run that has them.
  for (const scenarios::SummaryMetric& m : results.front().runs.front().metrics) {
    if (m.label.empty() || m.name.empty() || m.unit == scenarios::MetricUnit::kText) continue;
    std::printf("  %-36s", m.label.substr(0, 36).c_str());
    for (const auto& r : results) {
      std::string text = "-";
      for (const scenarios::ComparisonRow& row : rows) {
        if (row.metric != m.name || row.strategy != r.strategy || row.n == 0) continue;
        text = (row.censored > 0 ? ">= " : "") + format_value(row.mean, m.unit);
        if (row.n >= 2 && row.lo != row.hi && row.censored == 0)
          text += " [" + format_value(row.lo, m.unit) + ", " + format_value(row.hi, m.unit) + "]";
      }
      std::printf(" %-32s", text.c_str());
    }
    std::printf("\n");
  }
}

}  // namespace

int command_compare(const std::vector<std::string>& args) {
  po::options_description options("compare options");
  std::string scenario_path, out_dir, strategies_text, seed_text, runs_text, jobs_text = "1";
  std::vector<std::string> sets;
  options.add_options()("help,h", "show this help")("version", "show the version")(
      "scenario", po::value(&scenario_path)->required(), "scenario file (YAML)")(
      "strategies", po::value(&strategies_text),
      "strategies to compare, comma-separated: mls_first_seen,dmls(retention=1h) (default: "
      "every registered encrypted strategy); differences are to the first")(
      "seed", po::value(&seed_text), "override the scenario's seed (0 to 2^63-1)")(
      "runs", po::value(&runs_text), "override the number of runs (at least 1)")(
      "set", po::value(&sets)->composing(), "override any key (repeatable)")(
      "out", po::value(&out_dir), "result directory (default: results/<name>-compare)")(
      "jobs,j", po::value(&jobs_text)->default_value("1"),
      "runs executed in parallel, at least 1; results do not depend on it")(
      "force", "replace the results of different experiments found in --out")(
      "quiet,q", "no progress on stderr");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  po::variables_map vm;
  int code = 0;
  if (!parse_options(args, options, positional, vm, kCompareUsage, code,
                     "SCENARIO (the scenario file)"))
    return code;
  const auto jobs = whole_number_option("compare", "--jobs", jobs_text, 1, 1024);
  if (!jobs) return 2;
  scenarios::LoadOptions load;
  load.overrides = sets;
  if (!seed_and_runs_overrides("compare", vm, seed_text, runs_text, load.overrides)) return 2;
  std::vector<std::string> strategies;
  if (vm.count("strategies")) {
    strategies = scenarios::split_strategies(strategies_text);
    for (const std::string& s : strategies) {
      if (s.empty()) {
        std::cerr << "dmlssim compare: --strategies '" << strategies_text
                  << "' names an empty strategy\n";
        return 2;
      }
    }
  } else {
    const scenarios::Catalog catalog = scenarios::builtin_catalog();
    for (const auto& info : catalog.strategies.strategies()) {
      if (info.encrypted) strategies.push_back(info.name);
    }
  }
  const StopOnSignals on_signals;
  WorldDisposal disposal;
  std::unique_ptr<HeapPrefaulter> prefaulter;
  try {
    std::vector<scenarios::Scenario> variants;
    for (const std::string& s : strategies) {
      scenarios::LoadOptions variant = load;
      variant.overrides.push_back("strategy=" + s);
      variants.push_back(scenarios::load_scenario_file(scenario_path, variant));
    }
    prefaulter = start_heap_prefaulter(*jobs, variants.front().runs);
    if (out_dir.empty()) out_dir = "results/" + variants.front().name + "-compare";
    const std::filesystem::path out(out_dir);
    std::filesystem::create_directories(out);
    std::filesystem::remove(out / "compare.csv");  // never left beside newer runs
    const std::vector<std::string> dirs = scenarios::strategy_directories(variants);
    std::vector<scenarios::StrategyRuns> results;
    for (std::size_t i = 0; i < variants.size(); ++i) {
      scenarios::ExperimentOptions experiment(out / dirs[i], static_cast<unsigned>(*jobs));
      experiment.force = vm.count("force") > 0;
      experiment.stop = &stop_requested();
      experiment.dispose_world = [&disposal](std::shared_ptr<void> world) {
        disposal.take(std::move(world));
      };
      scenarios::ExperimentProgress progress(variants[i].runs);
      scenarios::StrategyRuns r{variants[i].strategy, dirs[i], {}};
      try {
        if (vm.count("quiet") == 0) std::cerr << "strategy " << variants[i].strategy << "\n";
        ProgressDisplay display(progress, variants[i].duration.ns(), vm.count("quiet") == 0);
        r.runs = scenarios::run_experiment(variants[i], experiment, &progress);
      } catch (const scenarios::RunInterrupted&) {
        std::cerr << "dmlssim compare: interrupted during " << variants[i].strategy
                  << "; complete run directories are kept under " << out_dir
                  << "; no compare.csv was written\n";
        return 130;
      }
      results.push_back(std::move(r));
    }
    const std::vector<scenarios::ComparisonRow> rows = scenarios::comparison_rows(results);
    scenarios::write_file_atomically(out / "compare.csv",
                                     scenarios::comparison_csv(variants.front().name, rows));
    print_table(variants.front(), results, rows, out_dir);
    return disposal.exit_when_done(0);
  } catch (const scenarios::ScenarioError& e) {
    std::cerr << "dmlssim: " << e.what() << "\n";
    return 2;
  } catch (const scenarios::ExperimentRefused& e) {
    std::cerr << "dmlssim compare: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "dmlssim compare: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace dmlssim::apps
