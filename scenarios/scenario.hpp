// A scenario after loading: every value parsed, checked and defaulted. The resolved YAML tree
// (user's file, overrides applied, defaults filled in) travels with it so that a run directory
// can reproduce the run exactly.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/matrix/federation_config.hpp"
#include "models/matrix/room_setup.hpp"
#include "models/matrix/state_resolution.hpp"
#include "models/matrix/workload.hpp"
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

// The Matrix room of a scenario (sections room:, workload:, federation:); absent when the
// scenario has no room: section.
struct MatrixSetup {
  const models::matrix::RoomVersion* version = nullptr;
  models::matrix::ResolutionOptions resolution;  // room.state_resolution
  models::matrix::RoomSetup room;
  models::matrix::WorkloadConfig workload;
  models::matrix::FederationConfig federation;
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
  std::optional<MatrixSetup> matrix;
  std::string strategy = "none";  // reported in tidy tables; strategies arrive with later versions
  YAML::Node resolved;            // canonical tree, written to each run directory
};

}  // namespace dmlssim::scenarios
