// Every tunable of a scenario, where it is declared: key path, type, default, unit and help. The
// scenario's own keys (top level, topology, faults, metrics) are declared here; each world part
// declares its sections' keys (world_part.hpp), taking the defaults from the model's own config
// structs, so a default lives in one place. The loader reads defaults from the table and `dmlssim
// list params` prints it, so the two cannot disagree. "required" as a default means the key must
// be given; "reserved" sections belong to later versions and are rejected rather than ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/time.hpp"

namespace dmlssim::scenarios {

struct ParamInfo {
  std::string key;  // dotted path; "faults[].at" for keys of list items
  std::string type;
  std::string default_value;  // scenario syntax; "required", "" for none
  std::string unit;
  std::string help;
};

// The scenario's own keys before the parts' sections (name .. faults), and the metrics section.
std::vector<ParamInfo> scenario_params();
std::vector<ParamInfo> metrics_params();

// Default texts from model values: a duration in the unit the key is usually written in ("60s",
// "10m"; another spelling when the value is not whole in it), a number as its shortest text.
std::string duration_default(sim::SimTime t, const std::string& unit);
std::string number_default(double v);

// The parameters of a set of world parts, in the order a resolved scenario writes them.
class ParamTable {
 public:
  explicit ParamTable(std::vector<ParamInfo> params);
  const std::vector<ParamInfo>& all() const { return params_; }
  // The entry for a dotted key path, or nullptr.
  const ParamInfo* find(std::string_view key) const;
  // Children of `section` ("" = top level, reserved sections included): the keys allowed there.
  std::vector<std::string> allowed_keys(const std::string& section) const;

 private:
  std::vector<ParamInfo> params_;
};

// Top-level sections reserved for later versions.
const std::vector<std::string>& reserved_sections();

}  // namespace dmlssim::scenarios
