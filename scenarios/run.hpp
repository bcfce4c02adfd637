// One run of a scenario: builds the world (simulation, network, faults, probes), runs it to the
// scenario's duration and returns what was measured. No files are touched here.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "scenarios/scenario.hpp"
#include "scenarios/summary_metrics.hpp"
#include "sim/metrics.hpp"

namespace dmlssim::scenarios {

// Live counters a progress display may read from another thread.
struct RunProgress {
  std::atomic<int64_t> sim_ns{0};
  std::atomic<uint64_t> events{0};
  // Set once the run's directory is written (the experiment sets it, not run_scenario).
  std::atomic<bool> written{false};
  // When set and true, the run stops at its next slice by throwing RunInterrupted.
  const std::atomic<bool>* stop = nullptr;
};

struct RunInterrupted : std::runtime_error {
  RunInterrupted() : std::runtime_error("run interrupted") {}
};

struct RunResult {
  uint64_t run = 0;
  uint64_t events_processed = 0;
  sim::MetricsRecorder metrics;
  nlohmann::json summary;                                  // summary.json
  std::vector<SummaryMetric> summary_metrics;              // summary.csv and the printed table
  std::vector<std::pair<std::string, std::string>> files;  // extra run-directory files
  // What the run built (simulation, network, parts), alive until the result lets go of it:
  // freeing a 1,000-server world takes seconds, which a caller may spend elsewhere
  // (ExperimentOptions::dispose_world). Nothing in it is used after the run.
  std::shared_ptr<void> world;
};

RunResult run_scenario(const Scenario& scenario, uint64_t run, RunProgress* progress = nullptr);

}  // namespace dmlssim::scenarios
