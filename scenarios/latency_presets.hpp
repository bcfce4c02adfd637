// Named one-way latency matrices shipped with the tool. Values are estimates: half of typical
// public round-trip times between the regions' large hosting centres [est].
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dmlssim::scenarios {

struct LatencyPreset {
  std::string name;
  std::string help;
  std::vector<std::string> regions;
  std::vector<std::vector<double>> one_way_ms;  // [from][to], symmetric
};

const std::vector<LatencyPreset>& latency_presets();
const LatencyPreset* find_latency_preset(std::string_view name);

}  // namespace dmlssim::scenarios
