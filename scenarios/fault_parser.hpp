// Reads the `faults:` list of a scenario into typed sim::Fault values (syntax in
// docs/scenario-format.md). Needs the topology to resolve server names.
#pragma once

#include <vector>

#include "scenarios/scenario.hpp"
#include "scenarios/yaml_reader.hpp"

namespace dmlssim::scenarios {

std::vector<sim::Fault> parse_faults(const YamlReader& reader, const YAML::Node& node,
                                     const Topology& topology, sim::SimTime duration);

}  // namespace dmlssim::scenarios
