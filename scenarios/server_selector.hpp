// Naming servers in a scenario: "s3"; a range "s0-s9" (inclusive); a region name (its servers);
// "all"; or a list of any of these. Order follows the text; naming a server twice is an error.
#pragma once

#include <string>
#include <vector>

#include "scenarios/scenario.hpp"
#include "scenarios/yaml_reader.hpp"

namespace dmlssim::scenarios {

std::vector<sim::NodeId> select_servers(const YamlReader& reader, const YAML::Node& node,
                                        const std::string& key, const Topology& topology);

// One server by name ("s3").
sim::NodeId select_server(const YamlReader& reader, const YAML::Node& node, const std::string& key,
                          const Topology& topology);

}  // namespace dmlssim::scenarios
