// Reading registry keys from a scenario section: which keys a section allows and the value of a
// key or its registered default.
#pragma once

#include <string>
#include <vector>

#include "scenarios/yaml_reader.hpp"

namespace dmlssim::scenarios {

// Children of `section` in the reader's parameter table: the keys allowed in that map ("" = top
// level, reserved sections included).
std::vector<std::string> allowed_keys(const YamlReader& reader, const std::string& section);

// The node for a registry key under `parent`, or its default text when the key is absent; a
// missing required key is an error.
YAML::Node value_or_default(const YamlReader& reader, const YAML::Node& parent,
                            const std::string& key);

}  // namespace dmlssim::scenarios
