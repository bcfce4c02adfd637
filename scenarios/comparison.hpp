// Comparing strategies on one scenario (`dmlssim compare`): every strategy runs the same R
// replications — the same seed, so the same workload, fault and device draws, each component on
// its own named random stream (common random numbers) — into OUT/<strategy>/run-NNNN/, and
// OUT/compare.csv holds, per strategy and summary metric, the mean over runs with its 95 %
// interval, and the paired difference to the first strategy (per replication) with its interval.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "scenarios/experiment.hpp"
#include "scenarios/scenario.hpp"

namespace dmlssim::scenarios {

// Splits "a,b(x=1, y=2),c" at the commas outside parentheses.
std::vector<std::string> split_strategies(const std::string& text);

// A directory name for each strategy: its name, or name-<k> when several share it ("dmls",
// "dmls-2"), in the order given.
std::vector<std::string> strategy_directories(const std::vector<Scenario>& variants);

struct StrategyRuns {
  std::string strategy;   // as the scenario resolved it, every parameter written
  std::string directory;  // under OUT
  std::vector<RunSummary> runs;
};

// One line of compare.csv.
struct ComparisonRow {
  std::string strategy, metric, unit;
  std::size_t n = 0;         // runs with a value
  std::size_t censored = 0;  // runs whose value is a lower bound (a stage not reached)
  double mean = 0, lo = 0, hi = 0;
  // Paired difference to the first strategy over the replications both have a value for.
  std::size_t diff_n = 0;
  double diff_mean = 0, diff_lo = 0, diff_hi = 0;
};

inline constexpr double kComparisonConfidence = 0.95;

std::vector<ComparisonRow> comparison_rows(const std::vector<StrategyRuns>& results);
std::string comparison_csv(const std::string& scenario, const std::vector<ComparisonRow>& rows);

}  // namespace dmlssim::scenarios
