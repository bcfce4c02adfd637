// Reading the room:, workload: and federation: sections of a scenario (the Matrix part's setup).
#pragma once

#include <memory>

#include "scenarios/matrix_part.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/yaml_reader.hpp"

namespace dmlssim::scenarios {

// Null when the scenario has no room: section (then workload:, federation: and the room's metrics
// options are refused). `scenario` has its topology, duration and metrics read.
std::shared_ptr<const MatrixSetup> read_matrix(const YamlReader& reader, const YAML::Node& root,
                                               const Scenario& scenario);

}  // namespace dmlssim::scenarios
