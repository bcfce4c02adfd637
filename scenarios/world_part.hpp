// A part of a simulated world that plugs into scenarios: the sections it reads, the parameters it
// declares (with their defaults, in one place), the actors it builds for a run, and the tables,
// summary metrics and files it writes. Adding a model means writing its part and adding it to the
// one list in world_parts.cpp; the loader, the runner, the result writer and `dmlssim list
// params` know nothing else about it.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "scenarios/params.hpp"
#include "scenarios/summary_metrics.hpp"
#include "scenarios/yaml_reader.hpp"
#include "sim/faults.hpp"
#include "sim/metrics.hpp"
#include "sim/network.hpp"

namespace dmlssim::scenarios {

struct Scenario;

// What a part read from a scenario; each part derives its own.
struct PartSetup {
  virtual ~PartSetup() = default;
};

// One run of a part: its actors live here from the start of the run to its end.
class PartRun {
 public:
  virtual ~PartRun() = default;
  // Every fault as the fault log records it (restarts, link changes and partitions before they
  // change reachability, heals after).
  virtual void on_fault(const sim::FaultRecord&) {}
  // After the run: tables go to the run's recorder (given at start); the part adds its summary
  // object (summary.json under its name), its typed summary metrics and any extra files.
  virtual void finish(nlohmann::json& summary, std::vector<SummaryMetric>& metrics,
                      std::vector<std::pair<std::string, std::string>>& files) = 0;
};

struct RunContext {
  const Scenario& scenario;
  std::uint64_t run;
  sim::Simulation& sim;
  sim::Network& network;
  sim::MetricsRecorder& metrics;
  // The runs of the parts built before this one (a part may build on another's actors).
  const std::vector<std::unique_ptr<PartRun>>* started = nullptr;
};

class WorldPart {
 public:
  virtual ~WorldPart() = default;
  // Its key in summary.json ("matrix").
  virtual std::string name() const = 0;
  // Top-level sections it owns ("room", "workload", "federation"); the first one's presence
  // decides whether a scenario uses the part, the others need it.
  virtual std::vector<std::string> sections() const = 0;
  virtual std::vector<ParamInfo> params() const = 0;
  // Reads its sections; null when the scenario does not use the part. ScenarioError on bad input.
  virtual std::shared_ptr<const PartSetup> read(const YamlReader& reader, const YAML::Node& root,
                                                const Scenario& scenario) const = 0;
  // The part's actors for one run, on the run's simulation and network.
  virtual std::unique_ptr<PartRun> start(const RunContext& context,
                                         const PartSetup& setup) const = 0;
};

// The parts a scenario may use, in the order they are built and written.
class WorldParts {
 public:
  void add(std::shared_ptr<const WorldPart> part);
  const std::vector<std::shared_ptr<const WorldPart>>& all() const { return parts_; }

 private:
  std::vector<std::shared_ptr<const WorldPart>> parts_;
};

// The parts that ship with dmlssim: the one list to extend when a model is added.
void register_builtin_parts(WorldParts& parts);

}  // namespace dmlssim::scenarios
