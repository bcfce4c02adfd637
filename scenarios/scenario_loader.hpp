// Loading a scenario: YAML text -> overrides applied -> strict validation -> Scenario with every
// default filled in. All input errors are ScenarioError (file, line, column, key path).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenarios/scenario.hpp"

namespace dmlssim::scenarios {

// Ranges of the top-level seed and runs keys (and of --seed, --runs).
constexpr std::uint64_t kMaxSeed = UINT64_MAX >> 1;  // 2^63 - 1
constexpr std::uint64_t kMaxRuns = 100'000;

struct Catalog;

struct LoadOptions {
  std::vector<std::string> overrides;  // "key.path=value"; value in YAML syntax; applied in order
  // The parts and strategies a scenario may use; null: builtin_catalog().
  const Catalog* catalog = nullptr;
};

Scenario load_scenario_file(const std::string& path, const LoadOptions& options = {});
// `source` names the text in messages (a file name, "<test>").
Scenario load_scenario_text(const std::string& text, const std::string& source,
                            const LoadOptions& options = {});

// The resolved scenario as YAML text: what run directories store and what reproduces a run.
std::string resolved_yaml(const Scenario& scenario);

}  // namespace dmlssim::scenarios
