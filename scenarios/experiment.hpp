// Running every replication of a scenario, in parallel if asked, and writing the results:
//   OUT/run-0000/ ... one self-describing directory per run (scenario.yaml, manifest.json,
//                     summary.json, tidy CSV tables), each built under a temporary name and
//                     renamed when complete;
//   OUT/summary.csv   one row per run, written last.
// Outputs are byte-identical for any number of jobs (wall-clock fields in manifest.json aside).
// An existing OUT may only hold earlier dmlssim results: its summary.csv and the run directories
// beyond the new run count are removed first, so nothing stale is left looking current.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "scenarios/run.hpp"
#include "scenarios/scenario.hpp"

namespace dmlssim::scenarios {

struct ExperimentProgress {
  explicit ExperimentProgress(std::size_t runs) : per_run(runs) {}
  std::vector<RunProgress> per_run;
  std::atomic<std::size_t> finished{0};
};

struct ExperimentOptions {
  std::filesystem::path out_dir;
  unsigned jobs = 1;
};

// Returns each run's summary, in run order. Throws the first failure (by run index) after all
// started runs have ended; directories of completed runs remain, none is left half-written.
std::vector<nlohmann::json> run_experiment(const Scenario& scenario,
                                           const ExperimentOptions& options,
                                           ExperimentProgress* progress = nullptr);

// Files of one run directory, by name; exposed for tests and the Python bindings.
std::vector<std::pair<std::string, std::string>> run_files(const Scenario& scenario,
                                                           const RunResult& result,
                                                           const nlohmann::json& wall_clock);

}  // namespace dmlssim::scenarios
