// A scenario after loading: every value parsed, checked and defaulted. The resolved YAML tree
// (user's file, overrides applied, defaults filled in) travels with it so that a run directory
// can reproduce the run exactly.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

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
  std::string strategy = "none";  // reported in tidy tables; strategies arrive with later versions
  YAML::Node resolved;            // canonical tree, written to each run directory
};

}  // namespace dmlssim::scenarios
