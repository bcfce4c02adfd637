// Running every replication of a scenario, in parallel if asked, and writing the results:
//   OUT/run-0000/ ... one self-describing directory per run (scenario.yaml, manifest.json,
//                     summary.json, tidy CSV tables), each built under a temporary name and
//                     renamed when complete;
//   OUT/summary.csv   one row per run, written last.
// Outputs are byte-identical for any number of jobs (wall-clock fields in manifest.json aside).
// An existing OUT may only hold earlier dmlssim results of the same experiment (see below): its
// summary.csv and the run directories beyond the new run count are removed first, so nothing stale
// is left looking current.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
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
  ExperimentOptions() = default;
  ExperimentOptions(std::filesystem::path out, unsigned parallel_jobs)
      : out_dir(std::move(out)), jobs(parallel_jobs) {}

  std::filesystem::path out_dir;
  unsigned jobs = 1;
  // Replace the results of a different experiment found in out_dir (else refused).
  bool force = false;
  // Run only this replicate (its directory is byte-identical to the one the whole experiment
  // writes, wall-clock fields aside); no summary.csv.
  std::optional<uint64_t> only_run;
  // Set by a signal handler: runs stop at their next slice, the experiment is marked
  // interrupted and RunInterrupted is thrown.
  const std::atomic<bool>* stop = nullptr;
  // Takes each finished run's world (RunResult::world) as soon as the run returns, before its
  // directory is written; it must free it or keep it for the process's exit. Unset: freed by the
  // run's worker once its directory is written. Called from the workers' threads.
  std::function<void(std::shared_ptr<void> world)> dispose_world;
};

// OUT/experiment.json describes what the directory holds: the resolved scenario, the runs asked
// for, and "status": "running" while it runs, then "complete", "interrupted" (with the runs kept)
// or "failed". Only a complete experiment has a summary.csv.
// An OUT holding another experiment (a different resolved scenario, runs included) is refused
// unless `force`; ExperimentRefused says why.
struct ExperimentRefused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One run's summary: summary.json as written, and the typed metrics (summary.csv's row, the
// printed table).
struct RunSummary {
  std::uint64_t run = 0;
  nlohmann::json json;
  std::vector<SummaryMetric> metrics;
  const nlohmann::json& operator[](const std::string& key) const { return json[key]; }
};

// Returns each run's summary, in run order. Throws the first failure (by run index) after all
// started runs have ended; directories of completed runs remain, none is left half-written.
std::vector<RunSummary> run_experiment(const Scenario& scenario, const ExperimentOptions& options,
                                       ExperimentProgress* progress = nullptr);

// Files of one run directory, by name; exposed for tests and the Python bindings.
std::vector<std::pair<std::string, std::string>> run_files(const Scenario& scenario,
                                                           const RunResult& result,
                                                           const nlohmann::json& wall_clock);

}  // namespace dmlssim::scenarios
