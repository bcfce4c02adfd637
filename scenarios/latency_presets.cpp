#include "scenarios/latency_presets.hpp"

namespace dmlssim::scenarios {

const std::vector<LatencyPreset>& latency_presets() {
  static const std::vector<LatencyPreset> presets = {
      {"wan-3-regions",
       "Europe, North America, Asia-Pacific: RTT within a region 16-50 ms, EU-US 90 ms, "
       "US-Asia 150 ms, EU-Asia 220 ms.",
       {"eu", "us", "asia"},
       {{8, 45, 110}, {45, 20, 75}, {110, 75, 25}}},
      {"lan", "One data centre: 0.25 ms one-way.", {"lan"}, {{0.25}}},
  };
  return presets;
}

const LatencyPreset* find_latency_preset(std::string_view name) {
  for (const auto& p : latency_presets()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace dmlssim::scenarios
