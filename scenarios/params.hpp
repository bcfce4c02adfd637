// Every tunable of a scenario, where it is declared: key path, type, default, unit and help. The
// loader takes defaults from here and `dmlssim list params` prints this table, so the two cannot
// disagree. "required" as a default means the key must be given; "reserved" sections belong to
// later versions and are rejected for now rather than silently ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dmlssim::scenarios {

struct ParamInfo {
  std::string key;  // dotted path; "faults[].at" for keys of list items
  std::string type;
  std::string default_value;  // scenario syntax; "required", "" for none
  std::string unit;
  std::string help;
};

const std::vector<ParamInfo>& all_params();
// The entry for a dotted key path, or nullptr.
const ParamInfo* find_param(std::string_view key);
// Top-level sections reserved for later versions.
const std::vector<std::string>& reserved_sections();

}  // namespace dmlssim::scenarios
