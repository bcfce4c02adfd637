// A scenario after loading: every value parsed, checked and defaulted. The resolved YAML tree
// (user's file, overrides applied, defaults filled in) travels with it so that a run directory
// can reproduce the run exactly.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "consensus/strategy_params.hpp"
#include "consensus/strategy_registry.hpp"
#include "scenarios/world_part.hpp"
#include "sim/faults.hpp"
#include "sim/network.hpp"
#include "sim/time.hpp"

namespace dmlssim::scenarios {

struct Topology {
  uint32_t servers = 0;
  std::vector<std::string> server_names;  // "s0", "s1", ...
  sim::NetworkConfig network;             // regions, latency, jitter, bandwidth, loss, timeouts
};

struct MetricsConfig {
  sim::SimTime interval;
  bool pairs = false;
  bool json = false;
  bool room_dag = false;    // room-0.ndjson for tardis
  bool room_cases = false;  // room-0.cases.json (matrix-stateres-cases/1)
};

// A world part a scenario uses, with what it read.
struct PartUse {
  std::shared_ptr<const WorldPart> part;
  std::shared_ptr<const PartSetup> setup;
};

struct Scenario {
  std::string source;  // file the scenario came from, for messages
  std::string name;
  std::string description;
  sim::SimTime duration;
  uint64_t seed = 1;
  uint64_t runs = 1;
  Topology topology;
  std::vector<sim::Fault> faults;
  MetricsConfig metrics;
  std::vector<PartUse> parts;  // in build order
  // The split-handling strategy as resolved ("none" when the file names none), with its checked
  // parameters; reported in every tidy table.
  std::string strategy = "none";
  consensus::StrategyParams strategy_params;
  // How to make it (registry entry); set by the loader.
  std::shared_ptr<const consensus::StrategyInfo> strategy_info;
  bool encrypted() const { return strategy_info != nullptr && strategy_info->encrypted; }
  YAML::Node resolved;  // canonical tree, written to each run directory

  // What the part whose setup is a T read, or null when the scenario does not use it.
  template <class T>
  const T* setup() const {
    for (const PartUse& use : parts) {
      if (const T* t = dynamic_cast<const T*>(use.setup.get())) return t;
    }
    return nullptr;
  }
};

}  // namespace dmlssim::scenarios
