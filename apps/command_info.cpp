// `validate` and `list`: the commands that read and describe, but run nothing.
#include <algorithm>
#include <array>
#include <cstdio>
#include <iostream>

#include "apps/cli_options.hpp"
#include "apps/commands.hpp"
#include "scenarios/catalog.hpp"
#include "scenarios/latency_presets.hpp"
#include "scenarios/params.hpp"
#include "scenarios/scenario_error.hpp"
#include "scenarios/scenario_loader.hpp"

namespace dmlssim::apps {

int command_validate(const std::vector<std::string>& args) {
  po::options_description options("validate options");
  std::string scenario_path;
  std::vector<std::string> sets;
  options.add_options()("help,h", "show this help")("version", "show the version")(
      "scenario", po::value(&scenario_path)->required(), "scenario file (YAML)")(
      "set", po::value(&sets)->composing(), "override any key (repeatable)")(
      "quiet,q", "print nothing when valid");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  po::variables_map vm;
  int code = 0;
  const std::string usage =
      "usage: dmlssim validate SCENARIO [--set key.path=value]... [--quiet]\n\n"
      "Checks SCENARIO strictly and prints its resolved form (every default filled in).";
  if (!parse_options(args, options, positional, vm, usage, code, "SCENARIO (the scenario file)"))
    return code;
  try {
    const scenarios::Scenario s = scenarios::load_scenario_file(scenario_path, {sets});
    if (!vm.count("quiet")) std::cout << scenarios::resolved_yaml(s);
    return 0;
  } catch (const scenarios::ScenarioError& e) {
    std::cerr << "dmlssim: " << e.what() << "\n";
    return 2;
  }
}

int command_list(const std::vector<std::string>& args) {
  po::options_description options("list options");
  std::string what;
  options.add_options()("help,h", "show this help")("version", "show the version")(
      "what", po::value(&what)->required(), "params | strategies | presets");
  po::positional_options_description positional;
  positional.add("what", 1);
  po::variables_map vm;
  int code = 0;
  const std::string usage =
      "usage: dmlssim list params|strategies|presets\n\n"
      "params: every scenario key with its type, default, unit and help; strategies: the\n"
      "split-handling strategies with their parameters, and the fork-choice rules; presets: the\n"
      "latency matrices.";
  if (!parse_options(args, options, positional, vm, usage, code,
                     "what to list: params, strategies or presets"))
    return code;
  const scenarios::Catalog catalog = scenarios::builtin_catalog();
  if (what == "params") {
    // Columns as wide as their longest cell, so that long keys and types stay aligned.
    std::vector<std::array<std::string, 5>> rows = {{"key", "type", "default", "unit", "help"}};
    const scenarios::ParamTable table = catalog.params();
    for (const auto& p : table.all()) {
      rows.push_back({p.key, p.type, p.default_value.empty() ? "-" : p.default_value,
                      p.unit.empty() ? "-" : p.unit, p.help});
    }
    for (const auto& r : scenarios::reserved_sections())
      rows.push_back({r, "section", "-", "-", "reserved for a later version; rejected for now"});
    std::array<int, 4> width{};
    for (const auto& row : rows) {
      for (std::size_t c = 0; c < width.size(); ++c)
        width[c] = std::max(width[c], static_cast<int>(row[c].size()));
    }
    for (const auto& row : rows) {
      std::printf("%-*s  %-*s  %-*s  %-*s  %s\n", width[0], row[0].c_str(), width[1],
                  row[1].c_str(), width[2], row[2].c_str(), width[3], row[3].c_str(),
                  row[4].c_str());
    }
    return 0;
  }
  if (what == "strategies") {
    for (const auto& s : catalog.strategies.strategies()) {
      std::printf("%s\n  %s\n", s.name.c_str(), s.help.c_str());
      if (s.params.empty()) std::printf("  (no parameters)\n");
      std::size_t width = 0;
      for (const auto& p : s.params)
        width = std::max(width, p.name.size());
      for (const auto& p : s.params) {
        std::string type = consensus::to_string(p.type);
        if (p.type == consensus::ParamType::kChoice) {
          type += " of";
          for (const auto& c : p.choices)
            type += " " + c;
        }
        std::printf("  %-*s  %s, default %s: %s\n", static_cast<int>(width), p.name.c_str(),
                    type.c_str(), p.required ? "(required)" : p.default_value.c_str(),
                    p.help.c_str());
      }
    }
    std::printf("\nfork-choice rules (for a strategy's fork_choice parameter)\n");
    std::size_t width = 0;
    for (const auto& r : catalog.strategies.fork_rules())
      width = std::max(width, r.name.size());
    for (const auto& r : catalog.strategies.fork_rules())
      std::printf("  %-*s  %s\n", static_cast<int>(width), r.name.c_str(), r.help.c_str());
    return 0;
  }
  if (what == "presets") {
    for (const auto& p : scenarios::latency_presets()) {
      std::printf("%s: %s\n", p.name.c_str(), p.help.c_str());
      std::printf("  one-way ms  ");
      for (const auto& r : p.regions)
        std::printf("%8s", r.c_str());
      std::printf("\n");
      for (std::size_t a = 0; a < p.regions.size(); ++a) {
        std::printf("  %-11s", p.regions[a].c_str());
        for (double ms : p.one_way_ms[a])
          std::printf("%8.2f", ms);
        std::printf("\n");
      }
    }
    return 0;
  }
  std::cerr << "dmlssim list: unknown list '" << what << "' (params, strategies, presets)\n";
  return 2;
}

}  // namespace dmlssim::apps
