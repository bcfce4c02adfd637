// Reading the room:, workload: and federation: sections of a scenario.
#pragma once

#include <optional>

#include "scenarios/scenario.hpp"
#include "scenarios/yaml_reader.hpp"

namespace dmlssim::scenarios {

// nullopt when the scenario has no room: section (then workload: and federation: are refused).
std::optional<MatrixSetup> read_matrix(const YamlReader& reader, const YAML::Node& root,
                                       const Topology& topology, sim::SimTime duration);

}  // namespace dmlssim::scenarios
